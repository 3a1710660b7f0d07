"""How the project runs buildah and podman: its own containers.conf, host networking,
and the host's TLS settings for the build steps only."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from tools.backends import process

#: Passed to every buildah and podman command in ``CONTAINERS_CONF`` (runtime, rlimits).
CONTAINERS_CONF = Path(__file__).with_name("containers.conf")
INSTALL_HINT = "install Debian's buildah, podman and runc (apt-get install buildah podman runc; .ci/run does)"
#: Where Debian, and so both the official Python image and the stand-in, keep the CA bundle.
IMAGE_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
#: pip's site-wide configuration file, read by every pip on Linux.
IMAGE_PIP_CONFIG = "/etc/pip.conf"


class EngineError(RuntimeError):
    """A buildah or podman command failed; the message holds its command line and stderr."""


def environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The caller's environment with the project's containers.conf."""
    return dict(os.environ if base is None else base) | {"CONTAINERS_CONF": str(CONTAINERS_CONF)}


def require(name: str) -> str:
    return process.require_binary(name, INSTALL_HINT)


def run(
    args: Sequence[str],
    *,
    cwd: Path | None = None,
    capture: bool = True,
    timeout: float | None = None,
    env: Mapping[str, str] | None = None,
) -> str:
    """Run ``args`` (``args[0]`` is ``buildah`` or ``podman``) and return its stdout;
    ``EngineError`` if it fails. ``capture=False`` lets its output through (builds);
    ``env`` adds variables to its environment."""
    command = [require(args[0]), *args[1:]]
    done = subprocess.run(
        command,
        cwd=cwd,
        env=environment() | dict(env or {}),
        stdin=subprocess.DEVNULL,
        capture_output=capture,
        text=True,
        check=False,
        timeout=timeout,
    )
    if done.returncode != 0:
        detail = (done.stderr or "").strip()[-2000:] if capture else "(output above)"
        raise EngineError(f"{' '.join(args)} failed with exit code {done.returncode}: {detail}")
    return done.stdout or ""


def run_unchecked(args: Sequence[str]) -> int:
    """Run ``args`` quietly; its exit code (for commands allowed to fail)."""
    command = [require(args[0]), *args[1:]]
    return subprocess.run(
        command, env=environment(), stdin=subprocess.DEVNULL, capture_output=True, check=False
    ).returncode


def image_exists(name: str) -> bool:
    return run_unchecked(["podman", "image", "exists", name]) == 0


def build_mounts(environ: Mapping[str, str] | None = None) -> list[str]:
    """``-v`` options that give a build's RUN steps the host's CA bundle and pip
    configuration: HTTPS to the package index works behind a proxy that re-signs TLS,
    and neither file ends up in the image (a build volume is not committed).

    The bundle is ``SSL_CERT_FILE``'s, else Debian's; the pip configuration is
    ``PIP_CONFIG_FILE``'s, else ``/etc/pip.conf``; each only if it exists.
    """
    environ = os.environ if environ is None else environ
    ca_bundle = Path(environ.get("SSL_CERT_FILE") or IMAGE_CA_BUNDLE)
    pip_config = Path(environ.get("PIP_CONFIG_FILE") or IMAGE_PIP_CONFIG)
    mounts = []
    for source, target in ((ca_bundle, IMAGE_CA_BUNDLE), (pip_config, IMAGE_PIP_CONFIG)):
        if source.is_file():
            mounts += ["-v", f"{source.resolve()}:{target}:ro"]
    return mounts
