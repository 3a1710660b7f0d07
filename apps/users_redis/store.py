"""Users in Redis (MemoryDB in AWS), one hash per user at ``user:<email>``.

The client is made on first use (``common.lazy``), not at startup, so an app whose
Redis is down still starts and answers ``/healthz``; a failed connect is not cached, so
the first request after Redis comes back makes it.

Every command ends by ``DEADLINE_SECONDS``, whatever Redis does: redis-py's own retries
are off (they nest: a retried command retries its connect too), and ``UserStore``
retries within the deadline instead.
"""

from __future__ import annotations

import builtins
import logging
from collections.abc import Callable
from typing import Any, TypeVar, cast

from redis import Redis
from redis.backoff import NoBackoff
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

from common import BackendUnavailable, deadline
from common.lazy import MadeOnFirstUse
from users_redis.model import User
from users_redis.settings import RedisSettings

log = logging.getLogger(__name__)

KEY_PREFIX = "user:"
#: A request's Redis work (connect, command, retry) ends by then; then it answers 503
#: with Retry-After.
DEADLINE_SECONDS = 5.0
#: Seconds to open a connection (TCP and TLS) / to wait for each reply. MemoryDB answers
#: in milliseconds; a frozen node is given up on after these.
CONNECT_TIMEOUT = 0.5
COMMAND_TIMEOUT = 0.5
#: Two attempts: the retry reconnects, so a connection pooled before a Redis restart or a
#: failover does not fail the request; more would only delay the 503 in an outage.
ATTEMPTS = 2
#: First backoff before the retry (doubled per attempt, with full jitter).
BACKOFF_SECONDS = 0.05

# Redis is down, unreachable, failing over, out of memory or rejecting our credentials,
# or another thread is still connecting (builtins.TimeoutError, from ``MadeOnFirstUse.get``): the
# client should retry later. Anything else is a bug and stays a logged 500.
_UNAVAILABLE = (
    ConnectionError,
    TimeoutError,
    builtins.TimeoutError,
    ClusterError,
    RedisClusterException,
    TryAgainError,
    ReadOnlyError,
    OutOfMemoryError,
)

RedisClient = Redis | RedisCluster
T = TypeVar("T")


def user_key(email: str) -> str:
    return f"{KEY_PREFIX}{email}"


def attempt_seconds(*, cluster: bool) -> float:
    """The longest one attempt of a command can wait: a connect, the reply to the
    connection's handshake (AUTH, CLIENT SETINFO) and the command's reply. A cluster
    client whose command failed discovers the nodes again before it gives up (one
    more connection to the endpoint, and its CLUSTER SLOTS). A retry starts only if
    this much still fits before the deadline. (The first attempt of a new cluster client
    discovers the nodes first as well: one connection more, still within the deadline.)"""
    one_connection = CONNECT_TIMEOUT + 2 * COMMAND_TIMEOUT
    return 2 * one_connection if cluster else one_connection


def connect(settings: RedisSettings) -> RedisClient:
    """A client for ``settings``, without retries of its own; the cluster client connects
    to discover the nodes."""
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
        "retry": Retry(NoBackoff(), retries=0),
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
        self._client: MadeOnFirstUse[RedisClient] = MadeOnFirstUse(lambda: connect(settings))
        self._attempt_seconds = attempt_seconds(cluster=settings.cluster)

    def save(self, user: User) -> None:
        """Create the user, or replace the name of an existing one."""
        self._command(
            lambda client: client.hset(user_key(user.email), mapping={"email": user.email, "name": user.name})
        )

    def find(self, email: str) -> User | None:
        # decode_responses=True: keys and values are str.
        fields = cast(dict[str, str], self._command(lambda client: client.hgetall(user_key(email))))
        return User(email=fields["email"], name=fields["name"]) if fields else None

    def _command(self, command: Callable[[RedisClient], T]) -> T:
        """``command(client)``, tried once more after a failure to reach Redis if that
        attempt still ends by the deadline; 503 otherwise."""
        with deadline.scope(DEADLINE_SECONDS) as until:
            try:
                return deadline.call_with_retries(
                    # A thread making the client (cluster discovery) may hold others up.
                    lambda: command(self._client.get(timeout=until.remaining())),
                    deadline=until,
                    attempt_seconds=self._attempt_seconds,
                    max_attempts=ATTEMPTS,
                    backoff_base=_backoff_base,
                )
            except _UNAVAILABLE as error:
                log.warning("redis unavailable: %s: %s", type(error).__name__, error)
                raise BackendUnavailable("user store unavailable, retry later") from error


def _backoff_base(error: Exception) -> float | None:
    return BACKOFF_SECONDS if isinstance(error, _UNAVAILABLE) else None
