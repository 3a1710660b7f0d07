"""The todo app's environment: the one place that names its variables.

On App Runner the stack injects the database secret's JSON (Secrets Manager's
``host``, ``port``, ``username``, ``password``, ``dbname``) as the runtime secret
``DB_SECRET``, so the app needs no AWS SDK call. The connection it describes is TLS
with the server verified (``sslmode=verify-full``: the chain against the CA bundle in
``DB_CA_FILE``, by default where the image keeps AWS's RDS bundle, and the host name
against the certificate).

Locally ``DATABASE_URL`` is a SQLAlchemy URL, used as given, TLS settings included (a
local server without TLS needs none), and wins over ``DB_SECRET`` when both are set.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import URL

from common.environment import Environment, Overrides, SettingsError

#: Variables the CDK stack sets on App Runner (``DB_SECRET`` is a runtime secret).
STACK_ENV: frozenset[str] = frozenset({"DB_SECRET"})

DATABASE_URL = "DATABASE_URL"
DB_SECRET = "DB_SECRET"
DB_CA_FILE = "DB_CA_FILE"

#: Where the image keeps AWS's RDS CA bundle (every region's roots, global-bundle.pem).
DEFAULT_CA_FILE = "/srv/certs/rds-global-bundle.pem"

#: Flask config key holding the database URL (``str`` or ``sqlalchemy.URL``).
DATABASE_URL_CONFIG = "DATABASE_URL"
#: Flask config key holding the role every session acts as (``SET ROLE``), when not the
#: user that logs in: the secret's user without ``CLONE_SUFFIX``, when it has one.
DATABASE_ROLE_CONFIG = "DATABASE_ROLE"
#: Secrets Manager's alternating-users rotation logs in as ``<user>`` and ``<user>_clone``
#: in turn; the clone is a member of ``<user>``. Sessions of either act as ``<user>``, so
#: whatever the app creates (a table, later a migration's) belongs to ``<user>`` and stays
#: usable by both: created as the clone it would be the clone's, which ``<user>`` may not
#: use once the rotation turns back to it.
CLONE_SUFFIX = "_clone"
#: A role name that needs no quoting in the connection's options (what the stack creates).
ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")

_DRIVER = "postgresql+psycopg2"
_REQUIRED_SECRET_KEYS = ("host", "username", "password")
_DEFAULT_PORT = 5432
_DEFAULT_DBNAME = "postgres"


def url_from_secret(raw: str, ca_file: str = DEFAULT_CA_FILE) -> URL:
    """The SQLAlchemy URL for a Secrets Manager database secret (extra keys such as
    ``engine`` ignored): TLS, the server verified against the CAs in ``ca_file``."""
    try:
        secret = json.loads(raw)
    except ValueError:
        # Never echo the value: it holds the password.
        raise SettingsError(f"{DB_SECRET} is not valid JSON") from None
    if not isinstance(secret, dict):
        raise SettingsError(f"{DB_SECRET} must be a JSON object")
    missing = [key for key in _REQUIRED_SECRET_KEYS if not secret.get(key)]
    if missing:
        raise SettingsError(f"{DB_SECRET} is missing {', '.join(missing)}")
    raw_port = secret.get("port")
    if raw_port in (None, ""):
        port = _DEFAULT_PORT
    elif isinstance(raw_port, str) and raw_port.isascii() and raw_port.isdigit():  # RDS: a number
        port = int(raw_port)
    else:  # int() would also take 5432.5, True or " 1_0 "
        port = raw_port if type(raw_port) is int else 0
    if not 0 < port < 65536:
        raise SettingsError(f"{DB_SECRET} port must be an integer from 1 to 65535, got {raw_port!r}")
    # URL.create keeps every character of the password: no quoting to get wrong.
    return URL.create(
        _DRIVER,
        username=str(secret["username"]),
        password=str(secret["password"]),
        host=str(secret["host"]),
        port=port,
        database=str(secret.get("dbname") or _DEFAULT_DBNAME),
        # verify-full: without the name check, any certificate the CAs signed would do,
        # that of another database too; libpq's default (prefer) checks nothing at all.
        query={"sslmode": "verify-full", "sslrootcert": ca_file},
    )


def _ca_file(env: Environment) -> str:
    """``DB_CA_FILE`` (default ``DEFAULT_CA_FILE``), which must be a readable file: without
    it every connection would fail, so the app refuses to start instead."""
    path = env.get(DB_CA_FILE) or DEFAULT_CA_FILE
    if not (os.path.isfile(path) and os.access(path, os.R_OK)):
        raise SettingsError(
            f"{DB_CA_FILE}: no readable CA bundle at {path}: the database server's TLS certificate "
            "cannot be verified (the image keeps AWS's RDS bundle at "
            f"{DEFAULT_CA_FILE}; set {DB_CA_FILE} to use another file)"
        )
    return path


def load(environ: Mapping[str, str], overrides: Overrides | None = None) -> dict[str, Any]:
    """Flask config from ``environ``, or ``SettingsError`` (``common.environment``); a
    ``DATABASE_URL`` in ``overrides`` may be a ``sqlalchemy.URL`` (it is the caller's, so
    ``env.config`` leaves it out of what is loaded: its text would hide the password)."""
    env = Environment(environ, overrides)
    if (url := env.get(DATABASE_URL)) is not None:
        return env.config({DATABASE_URL_CONFIG: url})
    if (secret := env.get(DB_SECRET)) is not None:
        secret_url = url_from_secret(secret, _ca_file(env))
        config: dict[str, Any] = {DATABASE_URL_CONFIG: secret_url}
        username = str(secret_url.username)
        if username.endswith(CLONE_SUFFIX):
            role = username.removesuffix(CLONE_SUFFIX)
            if not ROLE_NAME.fullmatch(role):
                raise SettingsError(
                    f"{DB_SECRET} username must be a plain PostgreSQL identifier, got {username!r}"
                )
            config[DATABASE_ROLE_CONFIG] = role
        return env.config(config)
    raise SettingsError(
        f"no database configured: set {DB_SECRET} (Secrets Manager JSON: host, port, username, "
        f"password, dbname) or {DATABASE_URL} (e.g. postgresql+psycopg2://user@127.0.0.1:5432/todo)"
    )
