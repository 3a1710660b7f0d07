"""Custom resource handler: an app's own PostgreSQL role, created through the RDS Data API.

boto3 and the standard library only. CloudFormation invokes the function directly and
waits for the answer at the request's pre-signed ``ResponseURL``: every outcome, a
failure included, is sent there (a function that ended without answering would leave the
stack waiting for an hour).

Properties (strings): ``ClusterArn``; ``AdminSecretArn``, the master user's secret, as
which the Data API runs the statements; ``UserSecretArn``, the app's secret (``username``,
``password``); ``Database``; ``RoleName``. The physical id is the role name.

- Create and Update: the role is created, or altered when it exists (a retry, a rollback,
  a restored snapshot), with ``LOGIN`` and the secret's password, then granted what the app
  needs on ``Database``. Once multi-user rotation has made the ``_clone`` user current, the
  secret no longer holds this role's password: the role's password is then left to the
  rotation. The password never travels in clear: the statement carries its SCRAM-SHA-256
  verifier, which PostgreSQL stores as given (and its log could show).
- Delete: the grants are revoked and the role dropped, and so is the ``_clone`` user
  multi-user rotation made of it; a role that still owns objects (the app's tables) keeps
  them and only loses ``LOGIN``, so no data goes with it. A missing role is a success.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import re
import time
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import boto3
from botocore.config import Config

LOGGER = logging.getLogger()
LOGGER.setLevel(logging.INFO)

#: PostgreSQL's unquoted identifiers (at most 63 bytes), which also need no escaping in quotes.
IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")
#: A failed Create answers with this prefix and the request id: that rollback's Delete then
#: leaves alone a role that existed before (Create of an existing role is an update).
FAILED_CREATE_PREFIX = "failed-create:"
#: PostgreSQL's iteration count for SCRAM-SHA-256 verifiers (scram_iterations' default).
SCRAM_ITERATIONS = 4096
#: The second user Secrets Manager's multi-user rotation makes: ``<role>_clone``, a member
#: of ``<role>``.
CLONE_SUFFIX = "_clone"
#: SQLSTATE dependent_objects_still_exist: DROP ROLE of a role that owns objects.
DEPENDENT_OBJECTS = "2BP01"
#: The Data API ends a statement after 45 s; the connection and the read are bounded too,
#: so one ``execute_statement`` call, retries included, ends within ``CALL_SECONDS``.
CLIENT_CONFIG = Config(
    connect_timeout=5, read_timeout=50, retries={"total_max_attempts": 2, "mode": "standard"}
)
CALL_SECONDS = 2 * (5 + 50)
#: The Data API's answers while a paused Aurora Serverless v2 cluster resumes (about 15 s)
#: or the instance is briefly unavailable: waited out, up to ``RESUME_WAIT_SECONDS``. The
#: request itself resumes the instance ("wait a few seconds and try again": the rds-data
#: model's DatabaseResumingException).
TRANSIENT_ERRORS = frozenset({"DatabaseResumingException", "DatabaseUnavailableException"})
RESUME_WAIT_SECONDS = 180.0
RETRY_INTERVAL_SECONDS = 5.0
#: Kept back from the function's own timeout to answer CloudFormation (``respond``'s
#: timeout, and some): a function that timed out would leave the stack waiting an hour.
ANSWER_SECONDS = 40.0
#: The privileges the todo app needs: connect, create its tables in ``public`` (it owns
#: them), and use the tables that exist already (created by the master user before the app
#: had a user of its own).
DATABASE_PRIVILEGES = "CONNECT"
SCHEMA = "public"
SCHEMA_PRIVILEGES = "USAGE, CREATE"
TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"


class DataApi(Protocol):
    """The part of boto3's ``rds-data`` client the handler uses."""

    def execute_statement(self, **kwargs: Any) -> Mapping[str, Any]: ...


class Secrets(Protocol):
    """The part of boto3's ``secretsmanager`` client the handler uses."""

    def get_secret_value(self, **kwargs: Any) -> Mapping[str, Any]: ...


class Database:
    """Statements run as the admin secret's user on one database of one cluster."""

    def __init__(
        self,
        client: DataApi,
        properties: Mapping[str, str],
        *,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] | None = None,
        deadline: float | None = None,
    ) -> None:
        """``deadline``: the ``clock`` time by which every call must have ended (None: no
        limit); a statement that might not end by then is not started (``TimeoutError``)."""
        self._client = client
        self._target = {
            "resourceArn": properties["ClusterArn"],
            "secretArn": properties["AdminSecretArn"],
            "database": properties["Database"],
        }
        self._sleep = sleep or time.sleep
        self._clock = clock or time.monotonic
        self._deadline = deadline

    def execute(self, sql: str, parameters: Sequence[Mapping[str, Any]] = ()) -> Mapping[str, Any]:
        give_up = self._clock() + RESUME_WAIT_SECONDS
        while True:
            if self._deadline is not None and self._clock() + CALL_SECONDS > self._deadline:
                raise TimeoutError(
                    "not enough time left to run a statement and still answer CloudFormation; "
                    "the cluster may still be resuming: retry the deployment"
                )
            try:
                extra = {"parameters": list(parameters)} if parameters else {}
                return self._client.execute_statement(**self._target, sql=sql, **extra)
            except Exception as error:
                if _error_code(error) not in TRANSIENT_ERRORS or self._clock() >= give_up:
                    raise
                LOGGER.info("database not ready (%s): retrying", _error_code(error))
                self._sleep(RETRY_INTERVAL_SECONDS)

    def role_exists(self, role: str) -> bool:
        result = self.execute(
            "SELECT 1 FROM pg_roles WHERE rolname = :role", [{"name": "role", "value": {"stringValue": role}}]
        )
        return bool(result.get("records"))


def _error_code(error: Exception) -> str:
    response = getattr(error, "response", None)
    return str(response.get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""


def _sql_state(error: Exception) -> str:
    """The SQLSTATE the Data API appends to a PostgreSQL error's message (``...; SQLState: 2BP01``)."""
    match = re.search(r"SQLState: (\w{5})", str(error))
    return match.group(1) if match else ""


def scram_verifier(password: str, salt: bytes | None = None) -> str:
    """PostgreSQL's SCRAM-SHA-256 verifier of ``password`` (RFC 7677, as ``pg_authid`` stores it)."""
    salt = os.urandom(16) if salt is None else salt
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, SCRAM_ITERATIONS)
    stored_key = hashlib.sha256(hmac.digest(salted, b"Client Key", "sha256")).digest()
    server_key = hmac.digest(salted, b"Server Key", "sha256")

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode()

    return f"SCRAM-SHA-256${SCRAM_ITERATIONS}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def identifier(prop: str, value: str) -> str:
    """``value`` double-quoted, once checked to need no escaping."""
    if not IDENTIFIER.fullmatch(value):
        raise ValueError(f"{prop} must match {IDENTIFIER.pattern}, got {value!r}")
    return f'"{value}"'


def on_own_tables(privileges: str) -> str:
    """``privileges`` (``GRANT ... TO role`` or ``REVOKE ... FROM role``, with ``{table}``) on
    each table of ``SCHEMA`` the admin owns. Not ``ON ALL TABLES``: that fails on a table the
    app's user owns, which the admin may not grant on."""
    statement = privileges.format(table="%I.%I")
    return (
        "DO $$ DECLARE t record; BEGIN "
        f"FOR t IN SELECT schemaname, tablename FROM pg_tables WHERE schemaname = '{SCHEMA}' "
        "AND tableowner = current_user LOOP "
        f"EXECUTE format('{statement}', t.schemaname, t.tablename); "
        "END LOOP; END $$"
    )


def grants(role: str, database: str) -> list[str]:
    return [
        f"GRANT {DATABASE_PRIVILEGES} ON DATABASE {database} TO {role}",
        f"GRANT {SCHEMA_PRIVILEGES} ON SCHEMA {SCHEMA} TO {role}",
        on_own_tables(f"GRANT {TABLE_PRIVILEGES} ON {{table}} TO {role}"),
    ]


def revokes(role: str, database: str) -> list[str]:
    return [
        on_own_tables(f"REVOKE {TABLE_PRIVILEGES} ON {{table}} FROM {role}"),
        f"REVOKE {SCHEMA_PRIVILEGES} ON SCHEMA {SCHEMA} FROM {role}",
        f"REVOKE {DATABASE_PRIVILEGES} ON DATABASE {database} FROM {role}",
    ]


def user_password(secrets: Secrets, secret_arn: str, role: str) -> str | None:
    """The secret's password if the secret is this role's; None once rotation made the clone current."""
    secret = json.loads(secrets.get_secret_value(SecretId=secret_arn)["SecretString"])
    if secret.get("username") != role:
        LOGGER.info("the secret is %s's now: the rotation sets %s's password", secret.get("username"), role)
        return None
    password = secret.get("password")
    if not isinstance(password, str) or not password:
        raise ValueError(f"the secret {secret_arn} has no password")
    return password


def create_or_update(database: Database, secrets: Secrets, properties: Mapping[str, str]) -> str:
    role_name = properties["RoleName"]
    role = identifier("RoleName", role_name)
    database_name = identifier("Database", properties["Database"])
    password = user_password(secrets, properties["UserSecretArn"], role_name)
    verb = "ALTER" if database.role_exists(role_name) else "CREATE"
    verifier = None if password is None else scram_verifier(password)
    for sql in [role_statement(verb, role_name, verifier), *grants(role, database_name)]:
        database.execute(sql)
    return role_name


def role_statement(verb: str, role_name: str, verifier: str | None) -> str:
    """``CREATE`` or ``ALTER ROLE ... LOGIN [PASSWORD verifier]``, with no colon in its text:
    the Data API takes ``:name`` for a parameter, and a verifier has two colons. So the
    statement is built by PL/pgSQL, the colons written ``chr(58)``. A verifier is base64
    and ``$:`` only, and the role name a plain identifier: neither needs escaping."""
    if verifier is None:
        return f'{verb} ROLE "{role_name}" LOGIN'
    spelled = "' || chr(58) || '".join(verifier.split(":"))
    return (
        f"DO $$ BEGIN EXECUTE format('{verb} ROLE %I LOGIN PASSWORD %L', '{role_name}', '{spelled}'); END $$"
    )


def delete(database: Database, properties: Mapping[str, str], physical_id: str) -> None:
    """Retire the role and the clone multi-user rotation made of it (it logs in with the
    role's rights, so it goes too)."""
    if not IDENTIFIER.fullmatch(physical_id):  # a failed Create's id: it made no role of its own
        return
    database_name = identifier("Database", properties["Database"])
    clone = f"{physical_id}{CLONE_SUFFIX}"
    for role_name in ([clone] if IDENTIFIER.fullmatch(clone) else []) + [physical_id]:
        if database.role_exists(role_name):
            _retire(database, role_name, database_name)


def _retire(database: Database, role_name: str, database_name: str) -> None:
    """Revoke ``role_name``'s grants and drop it; a role that still owns objects (the app's
    tables) keeps them and only loses ``LOGIN``, so no data goes with it."""
    role = identifier("RoleName", role_name)
    for sql in revokes(role, database_name):
        database.execute(sql)
    try:
        database.execute(f"DROP ROLE {role}")
    except Exception as error:
        if _sql_state(error) != DEPENDENT_OBJECTS:
            raise
        LOGGER.info("%s owns objects (the app's data): kept, without LOGIN", role_name)
        database.execute(f"ALTER ROLE {role} NOLOGIN")


def handle(
    event: Mapping[str, Any], data_api: DataApi, secrets: Secrets, *, deadline: float | None = None
) -> str:
    """Carry out the request; the physical id, or an exception for CloudFormation to show.
    ``deadline``: the ``time.monotonic()`` by which every statement must have ended."""
    properties: Mapping[str, str] = event["ResourceProperties"]
    database = Database(data_api, properties, deadline=deadline)
    request_type = event["RequestType"]
    if request_type in ("Create", "Update"):
        return create_or_update(database, secrets, properties)
    if request_type == "Delete":
        delete(database, properties, event["PhysicalResourceId"])
        return str(event["PhysicalResourceId"])
    raise ValueError(f"Unsupported RequestType {request_type!r}")


def respond(event: Mapping[str, Any], status: str, physical_id: str, reason: str) -> None:
    """PUT the result to CloudFormation's pre-signed URL (never logged: it lets anyone answer)."""
    body = json.dumps(
        {
            "Status": status,
            "Reason": reason[:1000],
            "PhysicalResourceId": physical_id,
            "StackId": event["StackId"],
            "RequestId": event["RequestId"],
            "LogicalResourceId": event["LogicalResourceId"],
        }
    ).encode()
    request = urllib.request.Request(
        event["ResponseURL"], data=body, method="PUT", headers={"Content-Type": ""}
    )
    with urllib.request.urlopen(request, timeout=30):
        pass


class LambdaContext(Protocol):
    """The part of Lambda's context object the handler uses."""

    def get_remaining_time_in_millis(self) -> int: ...


def on_event(event: dict[str, Any], context: LambdaContext) -> None:
    """Lambda entry point: handle the request and always answer CloudFormation, before the
    function's own timeout."""
    LOGGER.info(json.dumps({**event, "ResponseURL": "<redacted>"}, default=str))
    deadline = time.monotonic() + context.get_remaining_time_in_millis() / 1000 - ANSWER_SECONDS
    try:
        physical_id = handle(
            event,
            boto3.client("rds-data", config=CLIENT_CONFIG),
            boto3.client("secretsmanager", config=CLIENT_CONFIG),
            deadline=deadline,
        )
        status, reason = "SUCCESS", "OK"
    except Exception as error:
        LOGGER.exception("request failed")
        status, reason = "FAILED", f"{type(error).__name__}: {error}"
        physical_id = event.get("PhysicalResourceId") or f"{FAILED_CREATE_PREFIX}{event['RequestId']}"
    respond(event, status, physical_id, reason)
