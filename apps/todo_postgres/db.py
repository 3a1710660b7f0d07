"""One SQLAlchemy engine per app (so per worker process), the schema, and error mapping.

Any failure to reach PostgreSQL becomes ``BackendUnavailable`` (503 + Retry-After).
``pool_pre_ping`` replaces connections a restart or failover killed, so the app
recovers on its own once the database is back. A write refused because the database is
read-only (a failover demoted the writer the pool is connected to) is a 503 too, and
drops the pooled connections, whose next checkouts reconnect to the cluster endpoint.

A request's database work ends by ``DEADLINE_SECONDS`` whatever the server does. A slow
statement is ended by the server itself (``statement_timeout``, ``lock_timeout``); a
server that does not answer at all (frozen, partitioned away, failing over) is given up
on by the client: psycopg2's wait callback, set for the whole process, bounds every
wait for the server (connect, TLS, authentication, each statement, the pool's ping) by
the request's deadline, then closes the connection. Neither TCP keepalives nor
``tcp_user_timeout`` would: a frozen server's kernel still acknowledges every packet.
"""

from __future__ import annotations

import logging
import os
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from select import POLLIN, POLLOUT, poll

import psycopg2
from psycopg2 import extensions
from sqlalchemy import URL, Connection, Engine, create_engine, event, func, make_url, select
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from common import BackendUnavailable, deadline
from todo_postgres.models import metadata

log = logging.getLogger(__name__)

# gunicorn runs GUNICORN_THREADS (default 8) threads per worker: one connection each
# plus headroom, while many instances x workers stay under the server's max_connections.
POOL_SIZE = 8
MAX_OVERFLOW = 2
POOL_TIMEOUT_SECONDS = 3
#: A request's database work (the pool's ping, a reconnect, the statement) ends by then;
#: then it answers 503 with Retry-After. Long enough for the first request after Aurora
#: Serverless v2 has paused (todo_postgres:min_acu 0): a new connection then waits while
#: the instance resumes, about 15 s, and the request should succeed, not fail.
DEADLINE_SECONDS = 20.0
#: The schema check at start-up gives up sooner (the app starts anyway and the first
#: request creates the schema): a worker's cold start should not wait for a resume.
STARTUP_DEADLINE_SECONDS = 3.0
#: The server ends a statement running this long, and one waiting this long for a lock:
#: a slow query is a 503 well before the deadline, and the session stays usable.
STATEMENT_TIMEOUT_MS = 5000
LOCK_TIMEOUT_MS = 2000
# PostgreSQL ends a session idle this long, so an idle service holds no connection and an
# Aurora Serverless v2 cluster at min 0 ACU can pause; pool_pre_ping replaces an ended
# connection on its next checkout, so no request fails for it.
IDLE_SESSION_TIMEOUT_MS = 300_000
# Connections silently dropped by a failover are noticed within about a minute.
_KEEPALIVES = {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3}
AUTOCOMMIT = "AUTOCOMMIT"
#: PostgreSQL's default level, for the work that needs a transaction.
TRANSACTIONAL = "READ COMMITTED"
#: Any constant shared by every process creating the schema (``pg_advisory_xact_lock`` key).
SCHEMA_LOCK_KEY = 0x70D0_5C4E
#: SQLSTATE read_only_sql_transaction: a write on a hot standby, an Aurora reader, or a
#: session of a writer since demoted by a failover.
READ_ONLY_SQL_TRANSACTION = "25006"


class NoAnswer(psycopg2.OperationalError):
    """PostgreSQL did not answer before the deadline; psycopg2 has closed the connection,
    so SQLAlchemy takes it for a lost one (a 503, and the pool is replaced)."""


_POLL_EVENTS = {extensions.POLL_READ: POLLIN, extensions.POLL_WRITE: POLLOUT}


def wait_until_deadline(connection: extensions.connection) -> None:
    """psycopg2's wait callback: waits for the server as psycopg2's own blocking calls
    would, but never past the current deadline (``DEADLINE_SECONDS`` from each wait
    outside a request: the schema check, other connections in the same process).

    An exception raised here makes psycopg2 close the connection rather than cancel the
    query: a cancel would open a connection of its own and wait for the same server.
    """
    until = deadline.current() or deadline.Deadline(DEADLINE_SECONDS)
    while (state := connection.poll()) != extensions.POLL_OK:
        # poll, not select.select: a worker may hold file descriptors above 1023.
        waiter = poll()
        # The socket may change while connecting (the next address of a host name).
        waiter.register(connection.fileno(), _POLL_EVENTS[state])
        remaining = until.remaining()
        if remaining <= 0 or not waiter.poll(remaining * 1000):
            raise NoAnswer(f"no answer from PostgreSQL within the {until.seconds:g} s deadline")


def _read_only_is_a_disconnect(context: ExceptionContext) -> None:
    """``handle_error`` hook: a read-only database invalidates the connection like a lost
    one, so its error is ``connection_invalidated`` (a 503) and, the whole pool being
    invalidated with it, no pooled session of the demoted node is handed out again."""
    if getattr(context.original_exception, "pgcode", None) == READ_ONLY_SQL_TRANSACTION:
        context.is_disconnect = True


def _is_unavailable(error: SQLAlchemyError) -> bool:
    if isinstance(error, OperationalError | InterfaceError | PoolTimeoutError):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


@contextmanager
def unavailable_on_failure() -> Iterator[None]:
    """Re-raise connection, timeout and pool errors as ``BackendUnavailable``."""
    try:
        yield
    except SQLAlchemyError as error:
        if not _is_unavailable(error):
            raise
        # The cause (refused, authentication, timeout) is for operators, not clients.
        cause = str(getattr(error, "orig", None) or error).strip()
        if "certificate" in cause:
            # Not an outage: the server's certificate or the CA bundle is wrong.
            log.error("database unavailable: its TLS certificate was not accepted (DB_CA_FILE): %s", cause)
        else:
            log.warning("database unavailable: %s", cause)
        raise BackendUnavailable("database unavailable") from error


def _forget_pool_in_forked_children(engine: Engine) -> None:
    """gunicorn preloads the app, so the master's pooled connection (the schema check)
    would be shared by every worker; a forked child drops it and opens its own, leaving
    the parent's socket alone (SQLAlchemy's recipe for ``os.fork``)."""
    engine_ref = weakref.ref(engine)

    def after_fork_in_child() -> None:
        if (forked := engine_ref()) is not None:
            forked.dispose(close=False)

    os.register_at_fork(after_in_child=after_fork_in_child)


class Database:
    """The engine (no connection is opened until first use) and the schema, created once."""

    def __init__(
        self,
        url: str | URL,
        *,
        pool_size: int = POOL_SIZE,
        pool_timeout: float = POOL_TIMEOUT_SECONDS,
        statement_timeout_ms: int = STATEMENT_TIMEOUT_MS,
        idle_session_timeout_ms: int = IDLE_SESSION_TIMEOUT_MS,
        deadline_seconds: float = DEADLINE_SECONDS,
        role: str | None = None,
    ) -> None:
        """``role``: the role every session acts as (``SET ROLE`` at its start), if not
        the user that logs in; one of that user's roles, a plain identifier
        (``settings.ROLE_NAME``)."""
        # For the whole process: psycopg2 has one wait callback.
        extensions.set_wait_callback(wait_until_deadline)
        self.deadline_seconds = deadline_seconds
        self.engine: Engine = create_engine(
            make_url(url),
            pool_pre_ping=True,
            # Every request is one statement, atomic on its own: autocommit spares the
            # BEGIN and COMMIT round trips. Multi-statement work asks for a transaction.
            isolation_level=AUTOCOMMIT,
            pool_size=pool_size,
            max_overflow=MAX_OVERFLOW,
            pool_timeout=pool_timeout,
            connect_args={
                # No connect_timeout: libpq ignores it for the asynchronous connections
                # a wait callback makes; the deadline bounds the connect instead.
                "options": (
                    f"-c statement_timeout={statement_timeout_ms} -c lock_timeout={LOCK_TIMEOUT_MS}"
                    f" -c idle_session_timeout={idle_session_timeout_ms} -c timezone=UTC"
                    + (f" -c role={role}" if role else "")
                ),
                "application_name": "todo_postgres",
                **_KEEPALIVES,
            },
        )
        event.listen(self.engine, "handle_error", _read_only_is_a_disconnect)
        self._schema_ready = False
        self._schema_lock = threading.Lock()
        _forget_pool_in_forked_children(self.engine)

    def ensure_schema(self, deadline_seconds: float | None = None) -> None:
        """Create missing tables; safe with many processes starting at once. Inside a
        request it shares the request's deadline; alone (at start-up), it has
        ``deadline_seconds`` (default: the request deadline)."""
        if self._schema_ready:
            return
        with deadline.scope(deadline_seconds or self.deadline_seconds) as until:
            # Another thread may be creating it, as slowly as the database answers.
            if not self._schema_lock.acquire(timeout=max(until.remaining(), 0)):
                log.warning("database unavailable: the schema check of another request did not end in time")
                raise BackendUnavailable("database unavailable")
            try:
                with unavailable_on_failure():
                    if self._schema_ready:
                        return
                    # CREATE TABLE IF NOT EXISTS races across sessions (duplicate pg_type
                    # rows): the transaction-scoped advisory lock makes creators take turns.
                    with self.transaction() as conn:
                        conn.execute(select(func.pg_advisory_xact_lock(SCHEMA_LOCK_KEY)))
                        metadata.create_all(conn)
                    self._schema_ready = True
            finally:
                self._schema_lock.release()

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """An autocommit connection: each statement is committed when it returns. All the
        waits of the block (schema check, ping, reconnect, statements) share one deadline."""
        with deadline.scope(self.deadline_seconds), unavailable_on_failure():
            self.ensure_schema()
            with self.engine.connect() as conn:
                yield conn

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A connection in one transaction, committed when the block ends without error,
        for work of several statements (the routes' single statements use ``connection``)."""
        with self.engine.connect() as conn:
            # Back to autocommit when the connection returns to the pool.
            conn.execution_options(isolation_level=TRANSACTIONAL)
            with conn.begin():
                yield conn

    def dispose(self) -> None:
        self.engine.dispose()
