"""Configuration: DATABASE_URL locally, the Secrets Manager JSON (DB_SECRET) on App Runner."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import URL, create_engine, make_url, text

from common.environment import SettingsError
from tests.support.todo_postgres import database_of
from todo_postgres import create_app, settings
from todo_postgres.settings import load, url_from_secret
from tools.backends.postgres import LocalPostgres
from tools.backends.process import free_port

# Every character URL string formatting gets wrong.
AWKWARD_PASSWORD = "p@ss:w/rd%41 #?&=+'\"\\"
ROLE = "todo_secret_user"


def secret(**fields: Any) -> str:
    base: dict[str, Any] = {
        "engine": "postgres",
        "host": "db.cluster-abc.eu-west-1.rds.amazonaws.com",
        "port": 5432,
        "username": "todo",
        "password": AWKWARD_PASSWORD,
        "dbname": "todo",
        "dbClusterIdentifier": "todo-cluster",
    }
    base.update(fields)
    return json.dumps({k: v for k, v in base.items() if v is not None})


@pytest.fixture
def ca_file(tmp_path: Path) -> str:
    """A readable file where DB_CA_FILE must name one (only its existence is checked)."""
    path = tmp_path / "bundle.pem"
    path.write_text("not read by these tests\n")
    return str(path)


def test_stack_sets_only_the_runtime_secret() -> None:
    assert frozenset({"DB_SECRET"}) == settings.STACK_ENV


def test_missing_database_config_names_both_variables() -> None:
    with pytest.raises(SettingsError) as raised:
        load({})
    assert "DB_SECRET" in str(raised.value)
    assert "DATABASE_URL" in str(raised.value)


def test_create_app_fails_at_startup_without_database_config(no_database_env: None) -> None:
    with pytest.raises(SettingsError, match="DB_SECRET"):
        create_app()


def test_database_url_is_used_as_given_and_wins_over_the_secret() -> None:
    url = "postgresql+psycopg2://me@127.0.0.1:5433/todo"
    # No CA bundle needed either: DATABASE_URL says itself what TLS it wants.
    config = load({"DATABASE_URL": url, "DB_SECRET": secret()})
    assert config == {"DATABASE_URL": url}


def test_database_given_in_overrides_needs_no_environment() -> None:
    assert load({}, {"DATABASE_URL": "postgresql+psycopg2://x@127.0.0.1/x"}) == {}


def test_secret_becomes_a_url_with_the_exact_password(ca_file: str) -> None:
    url = load({"DB_SECRET": secret(), "DB_CA_FILE": ca_file})["DATABASE_URL"]
    assert isinstance(url, URL)
    assert url.drivername == "postgresql+psycopg2"
    assert (url.username, url.password, url.host, url.port, url.database) == (
        "todo",
        AWKWARD_PASSWORD,
        "db.cluster-abc.eu-west-1.rds.amazonaws.com",
        5432,
        "todo",
    )
    assert make_url(url.render_as_string(hide_password=False)).password == AWKWARD_PASSWORD


@pytest.mark.parametrize("username", ["todo_app", "todo_app_clone"])
def test_the_app_users_secret_works_whichever_user_multi_user_rotation_made_current(
    username: str, ca_file: str
) -> None:
    # The stack's app secret: its own user (or the rotation's clone) and the master's ARN.
    raw = secret(username=username, masterarn="arn:aws:secretsmanager:eu-west-1:123456789012:secret:m-AbCdEf")
    url = load({"DB_SECRET": raw, "DB_CA_FILE": ca_file})["DATABASE_URL"]
    assert (url.username, url.password) == (username, AWKWARD_PASSWORD)


def test_the_secret_connection_verifies_the_server_against_the_ca_bundle(ca_file: str) -> None:
    url = load({"DB_SECRET": secret(), "DB_CA_FILE": ca_file})["DATABASE_URL"]
    assert dict(url.query) == {"sslmode": "verify-full", "sslrootcert": ca_file}


def test_the_ca_bundle_defaults_to_the_images_rds_bundle_and_must_exist(tmp_path: Path) -> None:
    assert settings.DEFAULT_CA_FILE == "/srv/certs/rds-global-bundle.pem"
    assert url_from_secret(secret()).query["sslrootcert"] == settings.DEFAULT_CA_FILE
    for environ, path in (
        ({}, settings.DEFAULT_CA_FILE),  # not on this machine: no image here
        ({"DB_CA_FILE": str(tmp_path / "missing.pem")}, str(tmp_path / "missing.pem")),
        ({"DB_CA_FILE": str(tmp_path)}, str(tmp_path)),  # a directory
    ):
        with pytest.raises(SettingsError, match=f"DB_CA_FILE: no readable CA bundle at {path}"):
            load({"DB_SECRET": secret(), **environ})


def test_secret_port_may_be_a_string_and_port_and_dbname_have_defaults() -> None:
    assert url_from_secret(secret(port="6543")).port == 6543
    defaults = url_from_secret(secret(port=None, dbname=None))
    assert (defaults.port, defaults.database) == (5432, "postgres")


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("{not json", "not valid JSON"),
        ('["host"]', "JSON object"),
        (secret(host=None), "missing host"),
        (secret(username="", password=None), "missing username, password"),
        (secret(port="fivefourthreetwo"), "port must be an integer from 1 to 65535"),
        (secret(port=0), "port must be an integer from 1 to 65535, got 0"),
        (secret(port=-1), "port must be an integer from 1 to 65535, got -1"),
        (secret(port="70000"), "port must be an integer from 1 to 65535, got '70000'"),
        (secret(port=5432.5), "port must be an integer from 1 to 65535"),
    ],
)
def test_bad_secret_is_a_clear_error_without_the_password(raw: str, problem: str, ca_file: str) -> None:
    with pytest.raises(SettingsError, match=problem) as raised:
        load({"DB_SECRET": raw, "DB_CA_FILE": ca_file})
    assert AWKWARD_PASSWORD not in str(raised.value)


@pytest.fixture(scope="module")
def password_role(postgres: LocalPostgres) -> Iterator[str]:
    """A role that must authenticate with ``AWKWARD_PASSWORD`` (the cluster trusts everyone
    else), owning a database of its own; yields the database name."""
    dbname = postgres.create_database("todo_secret")
    assert postgres.data_dir is not None
    hba = postgres.data_dir / "pg_hba.conf"
    original = hba.read_text()
    hba.write_text(f"host all {ROLE} 127.0.0.1/32 scram-sha-256\n{original}")
    admin = create_engine(postgres.url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f"CREATE ROLE {ROLE} LOGIN PASSWORD :password"), {"password": AWKWARD_PASSWORD})
            conn.execute(text(f"ALTER DATABASE {dbname} OWNER TO {ROLE}"))
        # A restart, not a reload: the new rule is certainly in force afterwards.
        postgres.restart()
        yield dbname
    finally:
        hba.write_text(original)
        postgres.restart()
        admin.dispose()


def test_app_runs_from_the_secret_with_an_awkward_password(
    postgres: LocalPostgres, password_role: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv(
        "DB_SECRET",
        secret(host="127.0.0.1", port=str(postgres.port), username=ROLE, dbname=password_role),
    )
    monkeypatch.setenv("DB_CA_FILE", str(postgres.ca_file))
    app = create_app()
    try:
        client = app.test_client()
        created = client.post("/api/v1/tasks", json={"title": "from the secret"})
        assert created.status_code == 201
        assert client.get(f"/api/v1/tasks/{created.get_json()['id']}").status_code == 200
    finally:
        database_of(app).dispose()


def test_wrong_password_is_refused_with_503(
    postgres: LocalPostgres, password_role: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv(
        "DB_SECRET",
        secret(host="127.0.0.1", port=postgres.port, username=ROLE, password="wrong", dbname=password_role),
    )
    monkeypatch.setenv("DB_CA_FILE", str(postgres.ca_file))
    app = create_app()
    try:
        response = app.test_client().get("/api/v1/tasks")
        assert response.status_code == 503
        assert response.get_json() == {"error": "database unavailable"}
    finally:
        database_of(app).dispose()


def test_unreachable_database_at_startup_serves_503_then_health(no_database_env: None) -> None:
    app = create_app({"DATABASE_URL": f"postgresql+psycopg2://postgres@127.0.0.1:{free_port()}/todo"})
    try:
        client = app.test_client()
        for response in (client.get("/api/v1/tasks"), client.post("/api/v1/tasks", json={"title": "x"})):
            assert response.status_code == 503
            assert response.headers["Retry-After"].isdigit()
            assert response.get_json() == {"error": "database unavailable"}
        assert client.get("/").status_code == 200
        assert client.get("/healthz").status_code == 200
    finally:
        database_of(app).dispose()


def test_a_clone_users_secret_acts_as_the_user_it_clones(ca_file: str) -> None:
    raw = secret(username="todo_app_clone")
    assert load({"DB_SECRET": raw, "DB_CA_FILE": ca_file})[settings.DATABASE_ROLE_CONFIG] == "todo_app"
    # The user itself needs no role: it acts as itself.
    assert settings.DATABASE_ROLE_CONFIG not in load(
        {"DB_SECRET": secret(username="todo_app"), "DB_CA_FILE": ca_file}
    )
    with pytest.raises(
        SettingsError, match="username must be a plain PostgreSQL identifier, got 'Todo-App_clone'"
    ):
        load({"DB_SECRET": secret(username="Todo-App_clone"), "DB_CA_FILE": ca_file})


@pytest.fixture(scope="module")
def rotated_users(postgres: LocalPostgres) -> Iterator[str]:
    """What multi-user rotation leaves: ``todo_owner`` and ``todo_owner_clone``, a member of
    it, both able to log in; a database ``todo_owner`` owns. Yields the database name."""
    dbname = postgres.create_database("todo_rotated")
    admin = create_engine(postgres.url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("CREATE ROLE todo_owner LOGIN"))
            conn.execute(text("CREATE ROLE todo_owner_clone LOGIN IN ROLE todo_owner"))
            conn.execute(text(f"ALTER DATABASE {dbname} OWNER TO todo_owner"))
        yield dbname
    finally:
        admin.dispose()


def test_tables_the_clone_creates_belong_to_the_user_it_clones(
    postgres: LocalPostgres, rotated_users: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Created as the clone, the table would be the clone's: the next rotation, back to
    # todo_owner, would leave the app a table it may not use.
    monkeypatch.delenv("DATABASE_URL", raising=False)
    raw = secret(host="127.0.0.1", port=postgres.port, username="todo_owner_clone", dbname=rotated_users)
    monkeypatch.setenv("DB_SECRET", raw)
    monkeypatch.setenv("DB_CA_FILE", str(postgres.ca_file))
    app = create_app()
    try:
        assert app.test_client().post("/api/v1/tasks", json={"title": "as the clone"}).status_code == 201
    finally:
        database_of(app).dispose()
    owner = create_engine(postgres.url(rotated_users))
    try:
        with owner.connect() as conn:
            query = text(
                "SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'tasks'"
            )
            assert conn.execute(query).scalar_one() == "todo_owner"
    finally:
        owner.dispose()
