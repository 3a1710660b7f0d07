"""The todo app's database user custom resource, its SQL run by a real local PostgreSQL.

The Data API is a fake that runs each statement through psycopg2 as ``todo_admin``, a
non-superuser with CREATEROLE that owns ``tasks``, as Aurora's master user is; Secrets
Manager is botocore's Stubber. The server checks passwords (SCRAM-SHA-256) for every
user but the superuser, so the tests log in as the app would.
"""

from __future__ import annotations

import base64
import http.server
import json
import re
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from typing import Any

import boto3
import psycopg2
import pytest
from botocore.exceptions import ClientError
from botocore.stub import ANY, Stubber
from psycopg2 import sql

from cdk.shared.database_user_handler import index
from tools.backends.postgres import SUPERUSER, LocalPostgres

pytestmark = pytest.mark.slow

ADMIN = "todo_admin"
ROLE = "todo_app"
CLONE = "todo_app_clone"
DATABASE = "tasks"
SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:app-AbCdEf"
PARAMETER = r"(?<!:):([A-Za-z_]\w*)"
PROPERTIES = {
    "ClusterArn": "arn:aws:rds:eu-west-1:123456789012:cluster:todo",
    "AdminSecretArn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:admin-AbCdEf",
    "UserSecretArn": SECRET_ARN,
    "Database": DATABASE,
    "RoleName": ROLE,
}


class FakeDataApi:
    """``execute_statement`` run as ``ADMIN`` on the local server, with the Data API's
    ``:name`` parameters and its error shape (``BadRequestException``, ``SQLState``)."""

    def __init__(self, server: LocalPostgres) -> None:
        self.server = server
        self.calls: list[dict[str, Any]] = []
        self.failures: list[str] = []  # error codes to raise before running anything

    def execute_statement(self, **kwargs: Any) -> Mapping[str, Any]:
        self.calls.append(kwargs)
        if self.failures:
            code = self.failures.pop(0)
            raise ClientError({"Error": {"Code": code, "Message": code}}, "ExecuteStatement")
        assert {key: kwargs[key] for key in ("resourceArn", "secretArn")} == {
            "resourceArn": PROPERTIES["ClusterArn"],
            "secretArn": PROPERTIES["AdminSecretArn"],
        }
        values = {p["name"]: p["value"]["stringValue"] for p in kwargs.get("parameters", [])}
        # The Data API reads every ":name" (not a "::" cast) as a parameter, in literals too.
        names = re.findall(PARAMETER, kwargs["sql"])
        if set(names) != set(values):
            raise ClientError(
                {
                    "Error": {
                        "Code": "BadRequestException",
                        "Message": f"parameters {names} != {sorted(values)}",
                    }
                },
                "ExecuteStatement",
            )
        statement = (
            re.sub(PARAMETER, r"%(\1)s", kwargs["sql"].replace("%", "%%")) if values else kwargs["sql"]
        )
        with session(self.server, ADMIN, database=kwargs["database"]) as cursor:
            try:
                cursor.execute(statement, values or None)
            except psycopg2.Error as error:
                message = f"ERROR: {error.pgerror}; SQLState: {error.pgcode}"
                raise ClientError(
                    {"Error": {"Code": "BadRequestException", "Message": message}}, "ExecuteStatement"
                ) from error
            rows = cursor.fetchall() if cursor.description else []
        return {"records": [[{"longValue": value} for value in row] for row in rows]}


def connect(
    server: LocalPostgres, user: str, *, password: str | None = None, database: str = DATABASE
) -> psycopg2.extensions.connection:
    conn = psycopg2.connect(
        host="127.0.0.1", port=server.port, user=user, password=password, dbname=database, sslmode="disable"
    )
    conn.autocommit = True
    return conn


@contextmanager
def session(
    server: LocalPostgres, user: str, *, password: str | None = None, database: str = DATABASE
) -> Iterator[psycopg2.extensions.cursor]:
    """An autocommit cursor, its connection closed at the end (psycopg2's own ``with`` would
    open a transaction instead)."""
    with (
        closing(connect(server, user, password=password, database=database)) as conn,
        conn.cursor() as cursor,
    ):
        yield cursor


@pytest.fixture(scope="module")
def server() -> Iterator[LocalPostgres]:
    with LocalPostgres() as server:
        with session(server, SUPERUSER, database="postgres") as cursor:
            cursor.execute(f"CREATE ROLE {ADMIN} LOGIN CREATEROLE CREATEDB")
            cursor.execute(f"CREATE DATABASE {DATABASE} OWNER {ADMIN}")
            # As on Aurora: passwords for everyone; the superuser (the test's own) is trusted.
            hba = server._data_dir / "pg_hba.conf"
            hba.write_text(
                f"host all {SUPERUSER},{ADMIN} 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n"
            )
            cursor.execute("SELECT pg_reload_conf()")
        yield server


@pytest.fixture
def data_api(server: LocalPostgres) -> Iterator[FakeDataApi]:
    """A fresh ``tasks`` schema and no app roles, before and after each test."""
    yield FakeDataApi(server)
    with session(server, SUPERUSER) as cursor:
        cursor.execute("DROP TABLE IF EXISTS tasks")
        for role in (CLONE, ROLE):
            cursor.execute(f"DROP OWNED BY {role}" if role_exists(server, role) else "SELECT 1")
            cursor.execute(f"DROP ROLE IF EXISTS {role}")


def role_exists(server: LocalPostgres, role: str) -> bool:
    with session(server, SUPERUSER) as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
        return cursor.fetchone() is not None


def secrets(*values: Mapping[str, str]) -> Any:
    """A Secrets Manager client answering GetSecretValue of the app's secret with ``values``, in turn."""
    client = boto3.client(
        "secretsmanager", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    stubber = Stubber(client)
    for value in values:
        stubber.add_response(
            "get_secret_value",
            {"ARN": SECRET_ARN, "Name": "app", "SecretString": json.dumps(value)},
            {"SecretId": SECRET_ARN},
        )
    stubber.activate()
    return client


def event(request_type: str, physical_id: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"RequestType": request_type, "ResourceProperties": PROPERTIES}
    if physical_id is not None:
        found["PhysicalResourceId"] = physical_id
    return found


def secret_of(username: str, password: str) -> dict[str, str]:
    return {"username": username, "password": password, "host": "db", "port": "5432", "dbname": DATABASE}


def app_work(server: LocalPostgres, user: str, password: str) -> list[tuple[str]]:
    """What the app does: create its table if missing, write and read it."""
    with session(server, user, password=password) as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS tasks (title text)")
        cursor.execute("INSERT INTO tasks VALUES (%s)", (user,))
        cursor.execute("UPDATE tasks SET title = title")
        cursor.execute("SELECT title FROM tasks ORDER BY title")
        return cursor.fetchall()


def test_create_makes_a_user_that_logs_in_with_the_secrets_password_and_uses_its_table(
    server: LocalPostgres, data_api: FakeDataApi
) -> None:
    physical_id = index.handle(event("Create"), data_api, secrets(secret_of(ROLE, "first-pass")))

    assert physical_id == ROLE
    assert app_work(server, ROLE, "first-pass") == [(ROLE,)]
    with pytest.raises(psycopg2.OperationalError, match="password authentication failed"):
        connect(server, ROLE, password="wrong").close()
    # The statements carry a SCRAM verifier, never the password itself.
    assert not [call for call in data_api.calls if "first-pass" in call["sql"]]


def test_the_user_has_no_rights_beyond_its_database(server: LocalPostgres, data_api: FakeDataApi) -> None:
    index.handle(event("Create"), data_api, secrets(secret_of(ROLE, "pw")))

    with session(server, SUPERUSER) as cursor:
        cursor.execute(
            "SELECT rolsuper, rolcreaterole, rolcreatedb, rolcanlogin FROM pg_roles WHERE rolname = %s",
            (ROLE,),
        )
        assert cursor.fetchone() == (False, False, False, True)
    with session(server, ROLE, password="pw") as cursor:
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cursor.execute("CREATE SCHEMA other")
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cursor.execute("CREATE ROLE intruder")


def test_create_of_an_existing_user_updates_its_password_and_grants(
    server: LocalPostgres, data_api: FakeDataApi
) -> None:
    index.handle(event("Create"), data_api, secrets(secret_of(ROLE, "old-pass")))
    # A retry, or a rollback's re-create, with the secret's password changed meanwhile.
    assert index.handle(event("Create"), data_api, secrets(secret_of(ROLE, "new-pass"))) == ROLE
    assert index.handle(event("Update", ROLE), data_api, secrets(secret_of(ROLE, "new-pass"))) == ROLE

    assert app_work(server, ROLE, "new-pass") == [(ROLE,)]


def test_an_update_after_the_app_made_its_table_succeeds(
    server: LocalPostgres, data_api: FakeDataApi
) -> None:
    index.handle(event("Create"), data_api, secrets(secret_of(ROLE, "pw")))
    app_work(server, ROLE, "pw")

    assert index.handle(event("Update", ROLE), data_api, secrets(secret_of(ROLE, "pw"))) == ROLE
    assert app_work(server, ROLE, "pw") == [(ROLE,), (ROLE,)]


def test_a_table_the_master_user_made_before_is_usable_by_the_new_user(
    server: LocalPostgres, data_api: FakeDataApi
) -> None:
    # Deployed before the app had a user of its own: the master user created the table.
    with session(server, ADMIN) as cursor:
        cursor.execute("CREATE TABLE tasks (title text)")
        cursor.execute("INSERT INTO tasks VALUES ('kept')")

    index.handle(event("Create"), data_api, secrets(secret_of(ROLE, "pw")))

    assert app_work(server, ROLE, "pw") == [("kept",), (ROLE,)]


def rotate_to_clone(server: LocalPostgres, password: str) -> None:
    """What AWS's multi-user rotation function for PostgreSQL does on the first rotation, as
    the master user: create the clone with the new password and grant it the current user."""
    with session(server, ADMIN) as cursor:
        cursor.execute(
            sql.SQL("CREATE ROLE {} WITH LOGIN PASSWORD %s").format(sql.Identifier(CLONE)), (password,)
        )
        cursor.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(ROLE), sql.Identifier(CLONE)))


def test_the_rotation_clone_has_the_users_rights_and_both_passwords_keep_working(
    server: LocalPostgres, data_api: FakeDataApi
) -> None:
    index.handle(event("Create"), data_api, secrets(secret_of(ROLE, "original")))
    app_work(server, ROLE, "original")  # the app made its table as the user

    rotate_to_clone(server, "clone-pass")

    assert app_work(server, CLONE, "clone-pass") == [(ROLE,), (CLONE,)]
    # The running instances' password still works until the next rotation changes it.
    assert app_work(server, ROLE, "original") == [(ROLE,), (ROLE,), (CLONE,)]


def test_an_update_while_the_clone_is_current_leaves_the_users_password_to_the_rotation(
    server: LocalPostgres, data_api: FakeDataApi
) -> None:
    index.handle(event("Create"), data_api, secrets(secret_of(ROLE, "original")))
    rotate_to_clone(server, "clone-pass")

    index.handle(event("Update", ROLE), data_api, secrets(secret_of(CLONE, "clone-pass")))

    assert app_work(server, ROLE, "original") == [(ROLE,)]
    assert app_work(server, CLONE, "clone-pass") == [(ROLE,), (CLONE,)]


def test_delete_of_a_user_owning_nothing_drops_it(server: LocalPostgres, data_api: FakeDataApi) -> None:
    index.handle(event("Create"), data_api, secrets(secret_of(ROLE, "pw")))

    assert index.handle(event("Delete", ROLE), data_api, secrets()) == ROLE

    assert not role_exists(server, ROLE)


def test_delete_of_a_user_owning_the_apps_table_keeps_the_data_and_ends_its_logins(
    server: LocalPostgres, data_api: FakeDataApi
) -> None:
    index.handle(event("Create"), data_api, secrets(secret_of(ROLE, "pw")))
    app_work(server, ROLE, "pw")

    index.handle(event("Delete", ROLE), data_api, secrets())

    with pytest.raises(psycopg2.OperationalError, match="not permitted to log in"):
        connect(server, ROLE, password="pw").close()
    with session(server, SUPERUSER) as cursor:
        cursor.execute("SELECT title FROM tasks")
        assert cursor.fetchall() == [(ROLE,)]


def test_delete_ends_the_rotation_clones_logins_too(server: LocalPostgres, data_api: FakeDataApi) -> None:
    # The clone logs in with the user's rights: left behind, it would keep the data open.
    index.handle(event("Create"), data_api, secrets(secret_of(ROLE, "pw")))
    app_work(server, ROLE, "pw")
    rotate_to_clone(server, "clone-pass")

    index.handle(event("Delete", ROLE), data_api, secrets())

    assert not role_exists(server, CLONE)
    for user, password in ((ROLE, "pw"), (CLONE, "clone-pass")):
        with pytest.raises(psycopg2.OperationalError):
            connect(server, user, password=password).close()


@pytest.mark.parametrize("physical_id", [ROLE, f"{index.FAILED_CREATE_PREFIX}0f3e2c1a"])
def test_delete_of_a_missing_user_or_a_failed_create_succeeds(
    server: LocalPostgres, data_api: FakeDataApi, physical_id: str
) -> None:
    assert index.handle(event("Delete", physical_id), data_api, secrets()) == physical_id
    assert not role_exists(server, ROLE)


def test_a_resuming_cluster_is_waited_for(data_api: FakeDataApi, monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    data_api.failures = ["DatabaseResumingException", "DatabaseResumingException"]

    assert index.handle(event("Create"), data_api, secrets(secret_of(ROLE, "pw"))) == ROLE
    assert slept == [index.RETRY_INTERVAL_SECONDS] * 2


def test_no_statement_starts_that_might_outlast_the_deadline(data_api: FakeDataApi) -> None:
    # A statement the function could not see end would leave CloudFormation unanswered.
    deadline = time.monotonic() + index.CALL_SECONDS - 1
    with pytest.raises(TimeoutError, match="not enough time left to run a statement"):
        index.handle(event("Create"), data_api, secrets(secret_of(ROLE, "pw")), deadline=deadline)
    assert data_api.calls == []


def test_a_resume_is_waited_for_only_while_a_statement_can_still_end_in_time(
    data_api: FakeDataApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [0.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    monkeypatch.setattr(time, "sleep", lambda seconds: now.__setitem__(0, now[0] + seconds))
    data_api.failures = ["DatabaseResumingException"] * 100
    deadline = index.CALL_SECONDS + 3 * index.RETRY_INTERVAL_SECONDS
    with pytest.raises(TimeoutError):
        index.handle(event("Create"), data_api, secrets(secret_of(ROLE, "pw")), deadline=deadline)
    assert len(data_api.calls) == 4


class _Context:
    def get_remaining_time_in_millis(self) -> int:
        return 900_000


def test_the_deadline_leaves_time_to_answer_before_the_function_times_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")  # as in Lambda; no call reaches AWS
    seen: list[float | None] = []

    def handle(*args: object, deadline: float | None = None) -> str:
        seen.append(deadline)
        return ROLE

    monkeypatch.setattr(index, "handle", handle)
    monkeypatch.setattr(index, "respond", lambda *args: None)
    before = time.monotonic()
    index.on_event(event("Create"), _Context())
    (deadline,) = seen
    assert deadline is not None
    assert before + 900 - index.ANSWER_SECONDS <= deadline <= time.monotonic() + 900 - index.ANSWER_SECONDS


def test_other_errors_fail_the_request_at_once(data_api: FakeDataApi) -> None:
    data_api.failures = ["ForbiddenException"]

    with pytest.raises(ClientError, match="ForbiddenException"):
        index.handle(event("Create"), data_api, secrets(secret_of(ROLE, "pw")))
    assert len(data_api.calls) == 1


def test_a_role_name_that_would_need_quoting_is_refused(data_api: FakeDataApi) -> None:
    bad = {**PROPERTIES, "RoleName": 'x"; DROP TABLE tasks; --'}
    with pytest.raises(ValueError, match="RoleName must match"):
        index.handle(
            {"RequestType": "Create", "ResourceProperties": bad}, data_api, secrets(secret_of(ROLE, "p"))
        )
    assert data_api.calls == []


def test_the_verifier_is_the_one_libpq_computes(server: LocalPostgres) -> None:
    with closing(connect(server, SUPERUSER)) as conn:
        expected = psycopg2.extensions.encrypt_password("pässwörd", ROLE, conn, "scram-sha-256")
    salt = expected.split("$")[1].split(":")[1]
    assert index.scram_verifier("pässwörd", base64.b64decode(salt)) == expected


class _Recorder(http.server.BaseHTTPRequestHandler):
    bodies: list[dict[str, Any]] = []

    def do_PUT(self) -> None:
        self.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def response_url() -> Iterator[str]:
    """A local stand-in for CloudFormation's pre-signed response URL."""
    _Recorder.bodies = []
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/response"
    httpd.shutdown()
    httpd.server_close()


def test_a_failed_create_answers_cloudformation_with_an_id_its_rollback_leaves_alone(
    response_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")  # as in Lambda; no call reaches AWS

    def failing(*args: object, **kwargs: object) -> str:
        raise RuntimeError("no cluster")

    monkeypatch.setattr(index, "handle", failing)
    request = {
        **event("Create"),
        "ResponseURL": response_url,
        "StackId": "stack",
        "RequestId": "req-1",
        "LogicalResourceId": "AppUser",
    }

    index.on_event(request, _Context())

    assert _Recorder.bodies == [
        {
            "Status": "FAILED",
            "Reason": "RuntimeError: no cluster",
            "PhysicalResourceId": f"{index.FAILED_CREATE_PREFIX}req-1",
            "StackId": "stack",
            "RequestId": "req-1",
            "LogicalResourceId": "AppUser",
        }
    ]


def test_the_requests_are_valid_for_the_data_apis_model() -> None:
    """The same requests to botocore's own rds-data client: Stubber checks each one's shape."""
    client = boto3.client(
        "rds-data", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    stubber = Stubber(client)
    target = {
        "resourceArn": PROPERTIES["ClusterArn"],
        "secretArn": PROPERTIES["AdminSecretArn"],
        "database": DATABASE,
    }
    exists = {**target, "sql": ANY, "parameters": [{"name": "role", "value": {"stringValue": ROLE}}]}
    stubber.add_response("execute_statement", {"records": []}, exists)
    for _ in range(4):  # the role, then its three grants
        stubber.add_response("execute_statement", {"numberOfRecordsUpdated": 0}, {**target, "sql": ANY})
    with stubber:
        assert index.handle(event("Create"), client, secrets(secret_of(ROLE, "pw"))) == ROLE
    stubber.assert_no_pending_responses()
