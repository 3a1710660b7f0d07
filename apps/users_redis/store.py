"""Users in Redis (MemoryDB in AWS), one hash per user at ``user:<email>``.

The client is made on first use (``common.lazy``), not at startup, so an app whose
Redis is down still starts and answers ``/healthz``; a failed connect is not cached, so
the first request after Redis comes back makes it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from redis import Redis
from redis.backoff import ExponentialWithJitterBackoff
from redis.cluster import RedisCluster
from redis.exceptions import (
    ClusterError,
    ConnectionError,
    OutOfMemoryError,
    ReadOnlyError,
    RedisClusterException,
    TimeoutError,
    TryAgainError,
)
from redis.retry import Retry

from common import BackendUnavailable
from common.lazy import Lazy
from users_redis.model import User
from users_redis.settings import RedisSettings

log = logging.getLogger(__name__)

KEY_PREFIX = "user:"
#: Seconds to open a connection / wait for a reply: an outage answers 503 in seconds.
CONNECT_TIMEOUT = 2.0
COMMAND_TIMEOUT = 2.0
#: One retry after a reconnect, so a connection pooled before a Redis restart or a
#: failover does not fail the request; more would only delay the 503 in an outage.
RETRIES = 1

# Redis is down, unreachable, failing over, out of memory or rejecting our credentials:
# the client should retry later. Anything else is a bug and stays a logged 500.
_UNAVAILABLE = (
    ConnectionError,
    TimeoutError,
    ClusterError,
    RedisClusterException,
    TryAgainError,
    ReadOnlyError,
    OutOfMemoryError,
)

RedisClient = Redis | RedisCluster


def user_key(email: str) -> str:
    return f"{KEY_PREFIX}{email}"


def connect(settings: RedisSettings) -> RedisClient:
    """A client for ``settings``; the cluster client connects to discover the nodes."""
    options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "username": settings.username,
        "password": settings.password,
        "ssl": settings.tls,
        "ssl_ca_certs": settings.ca_file,
        "socket_connect_timeout": CONNECT_TIMEOUT,
        "socket_timeout": COMMAND_TIMEOUT,
        "decode_responses": True,
        "retry": Retry(ExponentialWithJitterBackoff(base=0.05, cap=0.5), retries=RETRIES),
    }
    if settings.cluster:
        # MemoryDB's endpoint is a DNS name that stays valid when nodes change:
        # keep it as the way back in after the whole cluster was unreachable.
        # Cluster discovery names the nodes by their private IP addresses, which no
        # publicly trusted certificate lists: each node's chain is verified against the
        # trusted CAs, but its name cannot be (redis-py 6+ checks it by default).
        return RedisCluster(**options, dynamic_startup_nodes=False, ssl_check_hostname=False)
    return Redis(**options)


class UserStore:
    """Saves and finds users; one Redis client per store, made on first use."""

    def __init__(self, settings: RedisSettings) -> None:
        self._client: Lazy[RedisClient] = Lazy(lambda: connect(settings))

    def save(self, user: User) -> None:
        """Create the user, or replace the name of an existing one."""
        with self._available() as client:
            client.hset(user_key(user.email), mapping={"email": user.email, "name": user.name})

    def find(self, email: str) -> User | None:
        with self._available() as client:
            # decode_responses=True: keys and values are str.
            fields = cast(dict[str, str], client.hgetall(user_key(email)))
        return User(email=fields["email"], name=fields["name"]) if fields else None

    @contextmanager
    def _available(self) -> Iterator[RedisClient]:
        try:
            yield self._client.get()
        except _UNAVAILABLE as error:
            log.warning("redis unavailable: %s: %s", type(error).__name__, error)
            raise BackendUnavailable("user store unavailable, retry later") from error
