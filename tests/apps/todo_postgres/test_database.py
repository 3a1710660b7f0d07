"""The engine's limits: a slow statement or an exhausted pool is a 503, not a hang or a 500."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from flask import Flask
from sqlalchemy import NullPool, QueuePool, TextClause, create_engine, insert, select, text
from sqlalchemy.exc import InternalError

from common import BackendUnavailable
from tests.support.todo_postgres import database_of
from todo_postgres.db import MAX_OVERFLOW, STATEMENT_TIMEOUT_MS, Database
from todo_postgres.models import tasks


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    database = Database(database_url, pool_size=1, pool_timeout=0.3, statement_timeout_ms=300)
    database.ensure_schema()
    yield database
    # The database is the session's: leave no task behind for the next test module.
    with database.engine.connect() as conn:
        conn.execute(text("TRUNCATE tasks"))
    database.dispose()


def test_app_sessions_have_the_statement_timeout_and_utc(app: Flask) -> None:
    with database_of(app).connection() as conn:
        assert conn.scalar(text("SHOW statement_timeout")) == f"{STATEMENT_TIMEOUT_MS // 1000}s"
        assert conn.scalar(text("SHOW timezone")) == "UTC"
        assert conn.scalar(text("SHOW idle_session_timeout")) == "5min"


def test_statement_blocked_past_the_timeout_is_unavailable(app: Flask, database: Database) -> None:
    # Another session holds the table; the app's read waits for it until the timeout.
    with database_of(app).transaction() as holder:
        holder.execute(text("LOCK TABLE tasks IN ACCESS EXCLUSIVE MODE"))
        with pytest.raises(BackendUnavailable), database.connection() as conn:
            conn.execute(select(tasks)).all()
    with database.connection() as conn:
        assert conn.execute(select(tasks)).all() == []


def test_exhausted_pool_is_unavailable(database: Database) -> None:
    with ExitStack() as held:
        for _ in range(1 + MAX_OVERFLOW):
            held.enter_context(database.engine.connect())
        with pytest.raises(BackendUnavailable), database.connection() as conn:
            conn.execute(text("SELECT 1"))
    with database.connection() as conn:
        assert conn.scalar(text("SELECT 1")) == 1


def raise_in_postgres(message: str) -> TextClause:
    """A statement PostgreSQL fails with ``message``: SQLSTATE P0001, psycopg2's InternalError."""
    return text(f"DO $$ BEGIN RAISE EXCEPTION '{message}'; END $$")


#: How PostgreSQL announces that it is closing the session: SQLAlchemy's psycopg2 dialect
#: invalidates the connection on this message whatever the error's class.
INVALIDATING = "terminating connection (said by the test)"
NOT_INVALIDATING = "an ordinary failure"


@pytest.mark.parametrize(
    ("message", "status"),
    [(INVALIDATING, 503), (NOT_INVALIDATING, 500)],
    ids=["connection invalidated", "connection still good"],
)
def test_a_database_error_is_unavailable_only_if_it_invalidated_the_connection(
    app: Flask, database: Database, message: str, status: int
) -> None:
    invalidated = status == 503
    # Neither OperationalError nor InterfaceError (pg_terminate_backend would give OperationalError,
    # a 503 by its class alone): only connection_invalidated can make this one a 503.
    with pytest.raises(InternalError) as raised, database.engine.connect() as conn:
        conn.execute(raise_in_postgres(message))
    assert raised.value.connection_invalidated is invalidated

    @app.get("/fails-in-postgres")
    def fails_in_postgres() -> dict[str, str]:
        with database_of(app).connection() as conn:
            conn.execute(raise_in_postgres(message))
        return {}

    client = app.test_client()
    response = client.get("/fails-in-postgres")

    assert response.status_code == status
    error = "database unavailable" if invalidated else "internal server error"
    assert response.get_json() == {"error": error}
    assert ("Retry-After" in response.headers) is invalidated
    # An invalidated connection is not handed out again: the next request is served.
    assert client.get("/api/v1/tasks").status_code == 200


def _pooled(database: Database) -> int:
    """Idle connections in the engine's current pool (disposing replaces the pool)."""
    pool = database.engine.pool
    assert isinstance(pool, QueuePool)
    return pool.checkedin()


def test_forked_child_opens_its_own_connection_and_leaves_the_parents(database: Database) -> None:
    # gunicorn preloads the app: its schema check leaves a pooled connection in the master.
    assert _pooled(database) == 1
    with database.engine.connect() as conn:
        parent_backend = conn.scalar(text("SELECT pg_backend_pid()"))
    pid = os.fork()
    if pid == 0:  # the child: report through the exit status only
        status = 1
        try:
            if _pooled(database) == 0:
                with database.engine.connect() as conn:
                    status = 0 if conn.scalar(text("SELECT pg_backend_pid()")) != parent_backend else 2
        finally:
            os._exit(status)
    _, wait_status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(wait_status) == 0
    with database.engine.connect() as conn:
        assert conn.scalar(text("SELECT pg_backend_pid()")) == parent_backend


def test_connections_autocommit_even_after_a_transaction(database: Database) -> None:
    # pool_size=1: the connection that ran the transaction is the one handed out next.
    with database.transaction() as conn:
        conn.execute(text("SELECT 1"))
    with database.connection() as conn:
        conn.execute(insert(tasks).values(title="committed on its own"))
        # Another session sees the row while this connection is still open.
        with database.engine.connect() as other:
            assert other.scalars(select(tasks.c.title)).all() == ["committed on its own"]


def test_idle_sessions_end_and_the_next_request_reconnects(database_url: str) -> None:
    # An idle service must hold no session, or an Aurora cluster at min 0 ACU never pauses.
    database = Database(database_url, pool_size=1, idle_session_timeout_ms=100)
    try:
        with database.connection() as conn:
            idle_backend = conn.scalar(text("SELECT pg_backend_pid()"))
        assert _pooled(database) == 1
        # Autocommit: pg_stat_activity is read once per transaction.
        observer = create_engine(database_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        with observer.connect() as watch:
            for _ in range(100):  # bounded: at most about 10 s
                if not watch.scalar(
                    text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": idle_backend}
                ):
                    break
                time.sleep(0.1)
            else:
                pytest.fail("PostgreSQL kept the idle session")
        observer.dispose()
        # The pooled connection is dead; the pre-ping replaces it without an error.
        with database.connection() as conn:
            assert conn.scalar(text("SELECT pg_backend_pid()")) != idle_backend
    finally:
        database.dispose()
