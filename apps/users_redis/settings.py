"""The users app's environment: the one place that names its variables.

On App Runner (set by the CDK stack, see ``STACK_ENV``):
  MEMORYDB_CLUSTER_ENDPOINT  ``host:port`` of the MemoryDB cluster endpoint
  MEMORYDB_USERNAME          ACL user
  MEMORYDB_PASSWORD          its password (a runtime secret)
Optional:
  REDIS_TLS       TLS on/off (default on, as MemoryDB requires)
  REDIS_CLUSTER   cluster client on/off (default on with the MemoryDB endpoint, off with REDIS_URL)
  REDIS_CA_FILE   extra CA bundle to trust besides the system's (local self-signed certificates)
  REDIS_URL       local alternative to the MEMORYDB_* variables, e.g. ``redis://127.0.0.1:6379``
                  (database 0, as on MemoryDB: no database number or options);
                  its scheme decides TLS (``rediss://``), so REDIS_TLS does not apply to it
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from common.environment import Environment, Overrides, SettingsError

ENDPOINT = "MEMORYDB_CLUSTER_ENDPOINT"
USERNAME = "MEMORYDB_USERNAME"
PASSWORD = "MEMORYDB_PASSWORD"
TLS = "REDIS_TLS"
CLUSTER = "REDIS_CLUSTER"
CA_FILE = "REDIS_CA_FILE"
URL = "REDIS_URL"

#: Exactly what the CDK stack sets on the App Runner service (PASSWORD as a secret).
STACK_ENV: frozenset[str] = frozenset({ENDPOINT, USERNAME, PASSWORD})
#: Every variable the app reads.
ALL_ENV: frozenset[str] = STACK_ENV | {TLS, CLUSTER, CA_FILE, URL}

DEFAULT_PORT = 6379


@dataclass(frozen=True)
class RedisSettings:
    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    tls: bool = True
    cluster: bool = True
    ca_file: str | None = None


def load(environ: Mapping[str, str], overrides: Overrides | None = None) -> dict[str, Any]:
    """Flask config from ``environ``, or ``SettingsError`` (``common.environment``)."""
    return {"REDIS": redis_settings(environ, overrides)}


def redis_settings(environ: Mapping[str, str], overrides: Overrides | None = None) -> RedisSettings:
    """The Redis connection ``load`` configures (its arguments: ``load``'s)."""
    env = Environment(environ, overrides)
    ca_file = env.get(CA_FILE)
    url = env.get(URL)
    if url is not None:
        return _from_url(url, cluster=env.flag(CLUSTER, default=False), ca_file=ca_file)
    env.require("users_redis", (ENDPOINT, USERNAME, PASSWORD), hint=f" (or set {URL} for a local Redis)")
    host, port = _host_port(str(env.get(ENDPOINT)))
    return RedisSettings(
        host=host,
        port=port,
        username=env.get(USERNAME),
        password=env.get(PASSWORD),
        tls=env.flag(TLS, default=True),
        cluster=env.flag(CLUSTER, default=True),
        ca_file=ca_file,
    )


def _host_port(endpoint: str) -> tuple[str, int]:
    host, _, port = endpoint.rpartition(":") if ":" in endpoint else (endpoint, "", str(DEFAULT_PORT))
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise SettingsError(f"{ENDPOINT} must be host:port, got {endpoint!r}")
    return host, int(port)


def _from_url(url: str, *, cluster: bool, ca_file: str | None) -> RedisSettings:
    parts = urlsplit(url)
    try:
        port = DEFAULT_PORT if parts.port is None else parts.port
    except ValueError:  # not a number, or out of range
        port = 0
    # No database number or options: the app uses database 0, MemoryDB's only one, and
    # would silently ignore them.
    extra = parts.path not in ("", "/") or parts.query or parts.fragment
    if parts.scheme not in ("redis", "rediss") or not parts.hostname or not port or extra:
        # Not echoing the value: it may hold a password.
        raise SettingsError(f"{URL} must look like redis://[user:password@]host[:port]")
    return RedisSettings(
        host=parts.hostname,
        port=port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        tls=parts.scheme == "rediss",
        cluster=cluster,
        ca_file=ca_file,
    )
