"""One SQLAlchemy engine per app (so per worker process), the schema, and error mapping.

Any failure to reach PostgreSQL becomes ``BackendUnavailable`` (503 + Retry-After).
``pool_pre_ping`` replaces connections a restart or failover killed, so the app
recovers on its own once the database is back. A write refused because the database is
read-only (a failover demoted the writer the pool is connected to) is a 503 too, and
drops the pooled connections, whose next checkouts reconnect to the cluster endpoint.
"""

from __future__ import annotations

import logging
import os
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import URL, Connection, Engine, create_engine, event, func, make_url, select
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from common import BackendUnavailable
from todo_postgres.models import metadata

log = logging.getLogger(__name__)

# gunicorn runs GUNICORN_THREADS (default 8) threads per worker: one connection each
# plus headroom, while many instances x workers stay under the server's max_connections.
POOL_SIZE = 8
MAX_OVERFLOW = 2
POOL_TIMEOUT_SECONDS = 3
CONNECT_TIMEOUT_SECONDS = 3
STATEMENT_TIMEOUT_MS = 5000
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
        log.warning("database unavailable: %s", str(getattr(error, "orig", None) or error).strip())
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
    ) -> None:
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
                "connect_timeout": CONNECT_TIMEOUT_SECONDS,
                "options": (
                    f"-c statement_timeout={statement_timeout_ms}"
                    f" -c idle_session_timeout={idle_session_timeout_ms} -c timezone=UTC"
                ),
                "application_name": "todo_postgres",
                **_KEEPALIVES,
            },
        )
        event.listen(self.engine, "handle_error", _read_only_is_a_disconnect)
        self._schema_ready = False
        self._schema_lock = threading.Lock()
        _forget_pool_in_forked_children(self.engine)

    def ensure_schema(self) -> None:
        """Create missing tables; safe with many processes starting at once."""
        if self._schema_ready:
            return
        with self._schema_lock, unavailable_on_failure():
            if self._schema_ready:
                return
            # CREATE TABLE IF NOT EXISTS races across sessions (duplicate pg_type rows):
            # the transaction-scoped advisory lock makes concurrent creators take turns.
            with self.transaction() as conn:
                conn.execute(select(func.pg_advisory_xact_lock(SCHEMA_LOCK_KEY)))
                metadata.create_all(conn)
            self._schema_ready = True

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """An autocommit connection: each statement is committed when it returns."""
        with unavailable_on_failure():
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
