"""Throwaway certificate authorities and server certificates for the local TLS backends.

Made with the openssl command line tool: the ``cryptography`` package is not a project
dependency. Keys are EC P-256, certificates valid for two days.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tools.backends import process

_OPENSSL_HINT = "install the OpenSSL command line tool (apt-get install openssl)"
_EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2"]


@dataclass(frozen=True)
class Authority:
    """A CA: its certificate (what a client trusts) and its key (to sign with)."""

    cert_file: Path
    key_file: Path


def _openssl(*args: str) -> None:
    openssl = process.require_binary("openssl", _OPENSSL_HINT)
    result = subprocess.run([openssl, *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"openssl {args[0]} failed: {result.stderr.strip()}")


def generate_ca(directory: Path, name: str = "local-test-ca") -> Authority:
    """A self-signed CA named ``name``, as ``<directory>/<name>.crt`` and ``.key``."""
    directory.mkdir(parents=True, exist_ok=True)
    ca = Authority(directory / f"{name}.crt", directory / f"{name}.key")
    _openssl(
        "req", "-x509", *_EC_KEY, "-keyout", str(ca.key_file), "-out", str(ca.cert_file),
        "-subj", f"/CN={name}",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    )  # fmt: skip
    ca.key_file.chmod(0o600)
    return ca


def generate_server_certificate(
    directory: Path, ca: Authority, *, names: Sequence[str], name: str = "server"
) -> tuple[Path, Path]:
    """A certificate for ``names`` (``DNS:localhost``, ``IP:127.0.0.1``: its subject
    alternative names) signed by ``ca``; returns ``(cert_file, key_file)``.

    It is good for client authentication too: Redis Cluster nodes present it to each
    other on the cluster bus.
    """
    cert_file, key_file = directory / f"{name}.crt", directory / f"{name}.key"
    _openssl(
        "req", "-x509", *_EC_KEY, "-keyout", str(key_file), "-out", str(cert_file),
        "-CA", str(ca.cert_file), "-CAkey", str(ca.key_file), "-subj", f"/CN={names[0].partition(':')[2]}",
        "-addext", "basicConstraints=critical,CA:FALSE",
        "-addext", f"subjectAltName={','.join(names)}",
        "-addext", "extendedKeyUsage=serverAuth,clientAuth",
    )  # fmt: skip
    key_file.chmod(0o600)
    return cert_file, key_file
