"""PostgreSQL stopped under write traffic: 503s during the outage, recovery on its own
afterwards, and every write that got a 201 still there. PostgreSQL refusing, not
answering or frozen: 503s by the deadline, /healthz throughout. PostgreSQL turned
read-only (a failover demoting the writer, a hot standby): writes are 503s until it is
writable again. A statement stuck on a lock: ended by the server's lock timeout."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, NullPool, create_engine, make_url, text

from tests.support.outage import OUTAGES, answers_while_healthz_answers, outage
from tests.support.todo_postgres import database_of
from todo_postgres import create_app, settings
from todo_postgres.db import LOCK_TIMEOUT_MS
from tools.backends.postgres import LocalPostgres
from tools.backends.proxy import HoldingProxy

TASKS = "/api/v1/tasks"
WRITERS = 3
# Bounded load: at most WRITERS * MAX_WRITES tasks (under one 1000-task page), for at most DEADLINE s.
MAX_WRITES = 250
DEADLINE = 30.0
WHILE_DOWN = "written while the database was down"


def assert_unavailable(response: Any) -> None:
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.get_json() == {"error": "database unavailable"}
    assert int(response.headers["Retry-After"]) > 0


def wait_until(condition: Any, what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


class Writers:
    """Threads POSTing tasks until told to stop; records what got a 201 and how many 503s."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.acknowledged: list[str] = []
        self.unavailable = 0
        self.stopping = threading.Event()
        self._lock = threading.Lock()

    def write(self, writer: int) -> None:
        client = self.app.test_client()
        deadline = time.monotonic() + DEADLINE
        for i in range(MAX_WRITES):
            if self.stopping.is_set() or time.monotonic() > deadline:
                return
            response = client.post(TASKS, json={"title": f"writer {writer} #{i}"})
            with self._lock:
                if response.status_code == 201:
                    self.acknowledged.append(response.get_json()["id"])
                else:
                    assert_unavailable(response)
                    self.unavailable += 1
            time.sleep(0.01)

    def count(self) -> tuple[int, int]:
        with self._lock:
            return len(self.acknowledged), self.unavailable


def outage_requests(client: FlaskClient, task_id: str) -> None:
    """Every endpoint that needs the database answers 503 while it is down."""
    assert_unavailable(client.post(TASKS, json={"title": WHILE_DOWN}))
    assert_unavailable(client.get(TASKS))
    assert_unavailable(client.get(f"{TASKS}/{task_id}"))
    assert_unavailable(client.put(f"{TASKS}/{task_id}", json={"title": WHILE_DOWN}))
    assert_unavailable(client.delete(f"{TASKS}/{task_id}"))
    assert client.get("/healthz").status_code == 200


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["fast", "immediate"], ids=["clean stop", "crash"])
def test_restart_loses_no_acknowledged_write(
    app: Flask, client: FlaskClient, postgres: LocalPostgres, mode: str
) -> None:
    survivor = client.post(TASKS, json={"title": "before the restart"}).get_json()
    writers = Writers(app)
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        futures = [pool.submit(writers.write, n) for n in range(WRITERS)]
        try:
            wait_until(lambda: writers.count()[0] >= 20, "writes before the outage")
            postgres.stop(mode)
            outage_requests(client, survivor["id"])
            wait_until(lambda: writers.count()[1] >= WRITERS, "writers to see the outage")
            postgres.start()
            # No retry: pool_pre_ping replaces the dead connections on this very request.
            assert client.post(TASKS, json={"title": "first after the restart"}).status_code == 201
            acknowledged_at_restart = writers.count()[0]
            wait_until(lambda: writers.count()[0] >= acknowledged_at_restart + 20, "writes after the restart")
        finally:
            writers.stopping.set()
            postgres.start()
        for future in futures:
            future.result()

    stored = client.get(TASKS, query_string={"limit": 1000}).get_json()
    stored_ids = {task["id"] for task in stored}
    assert set(writers.acknowledged) <= stored_ids
    assert client.get(f"{TASKS}/{survivor['id']}").get_json() == survivor
    assert WHILE_DOWN not in {task["title"] for task in stored}


WHILE_READ_ONLY = "written while the database was read-only"


def make_read_only(admin: Connection, database: str, read_only: bool) -> None:
    """New sessions of ``database`` are read-only (or writable again); existing ones keep
    what they had, as the sessions of a writer demoted by a failover do."""
    quoted = admin.dialect.identifier_preparer.quote(database)
    if read_only:
        admin.execute(text(f"ALTER DATABASE {quoted} SET default_transaction_read_only = on"))
    else:
        admin.execute(text(f"ALTER DATABASE {quoted} RESET default_transaction_read_only"))


def end_app_sessions(admin: Connection, database: str) -> None:
    """End the app's sessions and wait until they are gone (its next checkout reconnects)."""
    ended = admin.scalars(
        text(
            "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity"
            " WHERE datname = :database AND application_name = 'todo_postgres'"
        ),
        {"database": database},
    ).all()
    assert ended and all(ended), ended


def test_read_only_database_is_unavailable_for_writes_until_writable_again(
    postgres: LocalPostgres, fresh_database_url: str, no_database_env: None
) -> None:
    database = make_url(fresh_database_url).database
    assert database is not None
    app = create_app({settings.DATABASE_URL_CONFIG: fresh_database_url, "TESTING": True})
    client = app.test_client()
    admin_engine = create_engine(postgres.url(), poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        task = client.post(TASKS, json={"title": "before the failover"}).get_json()
        with admin_engine.connect() as admin:
            make_read_only(admin, database, True)
            end_app_sessions(admin, database)

        # The app reconnects to a read-only database: reads are served, writes are 503s.
        assert_unavailable(client.post(TASKS, json={"title": WHILE_READ_ONLY}))
        assert client.get(TASKS).get_json() == [task]
        assert client.get(f"{TASKS}/{task['id']}").get_json() == task
        assert_unavailable(client.put(f"{TASKS}/{task['id']}", json={"title": WHILE_READ_ONLY}))
        assert_unavailable(client.delete(f"{TASKS}/{task['id']}"))

        with admin_engine.connect() as admin:
            make_read_only(admin, database, False)
        # Nothing ends the app's read-only session this time: the failed write must have
        # dropped it from the pool, or every write would go on failing on it.
        after = client.post(TASKS, json={"title": "after the failover"})
        assert after.status_code == 201, after.get_json()
        assert client.get(TASKS).get_json() == [after.get_json(), task]
    finally:
        with admin_engine.connect() as admin:
            make_read_only(admin, database, False)
        admin_engine.dispose()
        database_of(app).dispose()


#: A shorter deadline than the app's (DEADLINE_SECONDS, long enough for a resume) keeps
#: these tests short; what ends the waits is the same.
TEST_DEADLINE_SECONDS = 3.0


@pytest.mark.slow
@pytest.mark.parametrize("name", OUTAGES)
def test_outage_is_a_503_by_the_deadline_and_the_app_recovers(
    postgres: LocalPostgres, database_url: str, no_database_env: None, name: str
) -> None:
    """With a pooled connection, as in steady traffic: refused, unanswered (a proxy), or
    frozen (every PostgreSQL process stopped: its kernel still acknowledges, so only the
    client's own bound ends the wait; it used to hang for good)."""
    with HoldingProxy(postgres.port) as proxy:
        url = make_url(database_url)
        if name == "unanswered":
            url = url.set(port=proxy.port)
        app = create_app({settings.DATABASE_URL_CONFIG: url, "TESTING": True})
        database_of(app).deadline_seconds = TEST_DEADLINE_SECONDS
        try:
            task = app.test_client().post(TASKS, json={"title": "before the outage"}).get_json()
            with outage(name, postgres, proxy)():
                answers = answers_while_healthz_answers(
                    app,
                    [
                        lambda client: client.get(f"{TASKS}/{task['id']}"),
                        lambda client: client.post(TASKS, json={"title": WHILE_DOWN}),
                    ],
                    within=2 * TEST_DEADLINE_SECONDS,
                )
            for response in answers:
                assert_unavailable(response)

            client = app.test_client()
            assert client.get(f"{TASKS}/{task['id']}").get_json() == task
            assert client.delete(f"{TASKS}/{task['id']}").status_code == 204
        finally:
            database_of(app).dispose()


def test_a_statement_waiting_for_a_lock_is_ended_by_the_lock_timeout(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    """A slow statement is ended by the server, before the deadline: a lock wait after
    LOCK_TIMEOUT_MS, sooner than the statement timeout."""
    with database_of(app).connection() as conn:
        assert conn.scalar(text("SHOW lock_timeout")) == f"{LOCK_TIMEOUT_MS // 1000}s"
    with database_of(app).transaction() as holder:
        holder.execute(text("LOCK TABLE tasks IN ACCESS EXCLUSIVE MODE"))
        with caplog.at_level(logging.WARNING, logger="todo_postgres.db"):
            assert_unavailable(client.get(TASKS))
    assert "canceling statement due to lock timeout" in caplog.text
    assert client.get(TASKS).get_json() == []
