"""The HTTP API against a real PostgreSQL: CRUD, pagination and every bad input."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert

from tests.support.todo_postgres import database_of
from todo_postgres.models import tasks

TASKS = "/api/v1/tasks"


def create(client: FlaskClient, title: str = "buy milk", **fields: Any) -> dict[str, Any]:
    response = client.post(TASKS, json={"title": title, **fields})
    assert response.status_code == 201, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def all_tasks(client: FlaskClient) -> list[dict[str, Any]]:
    response = client.get(TASKS, query_string={"limit": 1000})
    assert response.status_code == 200
    tasks: list[dict[str, Any]] = response.get_json()
    return tasks


def parse_utc(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    assert moment.utcoffset() == timedelta(0)
    return moment


def assert_error(response: Any, status: int) -> None:
    assert response.status_code == status
    assert response.is_json
    assert isinstance(response.get_json()["error"], str)


def test_root_is_the_articles_health_check(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.data == b"OK"
    assert response.mimetype == "text/plain"
    assert client.get("/healthz").status_code == 200


def test_create_returns_the_stored_task(client: FlaskClient) -> None:
    before = datetime.now(UTC)
    task = create(client, "buy milk")
    assert set(task) == {"id", "title", "completed", "created_at", "updated_at"}
    assert uuid.UUID(task["id"]).version == 4
    assert task["title"] == "buy milk"
    assert task["completed"] is False
    created = parse_utc(task["created_at"])
    assert abs(created - before) < timedelta(seconds=5)
    assert task["updated_at"] == task["created_at"]
    assert client.get(f"{TASKS}/{task['id']}").get_json() == task


def test_create_keeps_completed_and_title_as_given(client: FlaskClient) -> None:
    title = "  émoji ✓ with spaces  "
    task = create(client, title, completed=True)
    assert task["title"] == title
    assert task["completed"] is True


def test_title_of_200_characters_is_accepted(client: FlaskClient) -> None:
    assert create(client, "x" * 200)["title"] == "x" * 200


def test_unknown_fields_are_ignored(client: FlaskClient) -> None:
    chosen_id = str(uuid.uuid4())
    task = create(client, "t", id=chosen_id, created_at="2000-01-01T00:00:00Z", owner="me")
    assert task["id"] != chosen_id
    assert not task["created_at"].startswith("2000")
    assert "owner" not in task


@pytest.mark.parametrize("path", [TASKS, TASKS + "/"])
def test_collection_answers_with_and_without_trailing_slash(client: FlaskClient, path: str) -> None:
    response = client.post(path, json={"title": "slash"})
    assert response.status_code == 201
    listed = client.get(path)
    assert listed.status_code == 200
    assert [t["id"] for t in listed.get_json()] == [response.get_json()["id"]]


@pytest.mark.parametrize("suffix", ["", "/"])
def test_item_answers_with_and_without_trailing_slash(client: FlaskClient, suffix: str) -> None:
    task = create(client)
    path = f"{TASKS}/{task['id']}{suffix}"
    assert client.get(path).status_code == 200
    assert client.put(path, json={"completed": True}).get_json()["completed"] is True
    assert client.delete(path).status_code == 204


def test_get_unknown_task_is_404(client: FlaskClient) -> None:
    assert_error(client.get(f"{TASKS}/{uuid.uuid4()}"), 404)


def test_update_changes_only_the_given_fields(client: FlaskClient) -> None:
    task = create(client, "old title")
    response = client.put(f"{TASKS}/{task['id']}", json={"completed": True})
    assert response.status_code == 200
    updated = response.get_json()
    assert updated["title"] == "old title"
    assert updated["completed"] is True
    assert updated["created_at"] == task["created_at"]
    assert parse_utc(updated["updated_at"]) > parse_utc(task["updated_at"])

    renamed = client.put(f"{TASKS}/{task['id']}", json={"title": "new title", "completed": False})
    assert renamed.get_json()["title"] == "new title"
    assert renamed.get_json()["completed"] is False
    assert client.get(f"{TASKS}/{task['id']}").get_json() == renamed.get_json()


def test_update_unknown_task_is_404_and_creates_nothing(client: FlaskClient) -> None:
    assert_error(client.put(f"{TASKS}/{uuid.uuid4()}", json={"title": "x"}), 404)
    assert all_tasks(client) == []


def test_delete_removes_the_task(client: FlaskClient) -> None:
    task = create(client)
    kept = create(client, "kept")
    response = client.delete(f"{TASKS}/{task['id']}")
    assert response.status_code == 204
    assert response.data == b""
    # No body, so no type: not Flask's default text/html.
    assert "Content-Type" not in response.headers
    assert_error(client.get(f"{TASKS}/{task['id']}"), 404)
    assert_error(client.delete(f"{TASKS}/{task['id']}"), 404)
    assert all_tasks(client) == [kept]


def test_list_is_newest_first_and_paginated(client: FlaskClient) -> None:
    ids = [create(client, f"task {n}")["id"] for n in range(5)]
    newest_first = ids[::-1]
    assert [t["id"] for t in all_tasks(client)] == newest_first
    pages = [
        [t["id"] for t in client.get(TASKS, query_string={"limit": 2, "offset": offset}).get_json()]
        for offset in (0, 2, 4, 6)
    ]
    assert pages == [newest_first[0:2], newest_first[2:4], newest_first[4:5], []]


def test_list_breaks_created_at_ties_by_id_descending(app: Flask, client: FlaskClient) -> None:
    moment = datetime(2024, 1, 1, tzinfo=UTC)
    ids = [uuid.uuid4() for _ in range(5)]
    with database_of(app).connection() as conn:
        conn.execute(insert(tasks), [{"id": i, "title": "tie", "created_at": moment} for i in ids])
    expected = [str(i) for i in sorted(ids, reverse=True)]
    assert [t["id"] for t in all_tasks(client)] == expected
    assert [t["id"] for t in client.get(TASKS, query_string={"limit": 2, "offset": 2}).get_json()] == (
        expected[2:4]
    )


def test_default_page_is_100_and_limit_goes_to_1000(app: Flask, client: FlaskClient) -> None:
    with database_of(app).connection() as conn:
        conn.execute(insert(tasks), [{"title": f"bulk {n}"} for n in range(1001)])
    assert len(client.get(TASKS).get_json()) == 100
    assert len(client.get(TASKS, query_string={"limit": 1000}).get_json()) == 1000
    assert len(client.get(TASKS, query_string={"limit": 1000, "offset": 1000}).get_json()) == 1


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "1001"},
        {"limit": "-1"},
        {"limit": "ten"},
        {"limit": "1.5"},
        {"limit": ""},
        {"limit": " 5"},
        {"limit": "1e2"},
        {"limit": "1_0"},
        {"offset": "-1"},
        {"offset": "x"},
        {"offset": "99999999999999999999"},
    ],
)
def test_bad_pagination_is_400(client: FlaskClient, params: dict[str, str]) -> None:
    assert_error(client.get(TASKS, query_string=params), 400)


BAD_BODIES: list[tuple[str, bytes]] = [
    ("empty", b""),
    ("not json", b"{title: x}"),
    ("truncated", b'{"title": "x"'),
    ("array", b'[{"title": "x"}]'),
    ("string", b'"x"'),
    ("number", b"1"),
    ("null", b"null"),
]
BAD_TITLES: list[Any] = [None, 1, True, ["x"], {"t": "x"}, "", "   ", "\t\n", "x" * 201, "a\x00b", "a\ud800b"]
BAD_COMPLETED: list[Any] = [None, 0, 1, "true", "false", [], {}]


def _bad_creates() -> list[Any]:
    raw = [pytest.param(body, id=f"body {name}") for name, body in BAD_BODIES]
    missing = [pytest.param({"completed": True}, id="title missing")]
    titles = [pytest.param({"title": t}, id=f"title {t!r:.20}") for t in BAD_TITLES]
    completed = [pytest.param({"title": "x", "completed": c}, id=f"completed {c!r}") for c in BAD_COMPLETED]
    return raw + missing + titles + completed


def _send(client: FlaskClient, method: str, path: str, body: bytes | dict[str, Any]) -> Any:
    if isinstance(body, bytes):
        return client.open(path, method=method, data=body, content_type="application/json")
    return client.open(path, method=method, json=body)


@pytest.mark.parametrize("body", _bad_creates())
def test_bad_create_is_400_and_writes_nothing(client: FlaskClient, body: bytes | dict[str, Any]) -> None:
    assert_error(_send(client, "POST", TASKS, body), 400)
    assert all_tasks(client) == []


def _bad_updates() -> list[Any]:
    raw = [pytest.param(body, id=f"body {name}") for name, body in BAD_BODIES]
    nothing = [pytest.param({}, id="no fields"), pytest.param({"done": True}, id="only unknown fields")]
    titles = [pytest.param({"title": t, "completed": True}, id=f"title {t!r:.20}") for t in BAD_TITLES]
    completed = [pytest.param({"title": "new", "completed": c}, id=f"completed {c!r}") for c in BAD_COMPLETED]
    return raw + nothing + titles + completed


@pytest.mark.parametrize("body", _bad_updates())
def test_bad_update_is_400_and_changes_nothing(client: FlaskClient, body: bytes | dict[str, Any]) -> None:
    task = create(client, "original")
    assert_error(_send(client, "PUT", f"{TASKS}/{task['id']}", body), 400)
    assert client.get(f"{TASKS}/{task['id']}").get_json() == task


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
@pytest.mark.parametrize(
    "task_id", ["1", "abc", "not-a-uuid", "00000000-0000-0000-0000-00000000000", "%00", "1;DROP TABLE tasks"]
)
def test_malformed_id_is_400(client: FlaskClient, method: str, task_id: str) -> None:
    task = create(client)
    assert_error(client.open(f"{TASKS}/{task_id}", method=method, json={"title": "x"}), 400)
    assert all_tasks(client) == [task]


#: Ids Python's uuid.UUID accepts but the document's format (RFC 4122's 8-4-4-4-12 hex) does
#: not, written as they appear in the URL path.
UUID_LOOKALIKES = [
    pytest.param("+0000000-0000-0000-0000-000000000000", id="plus sign"),
    pytest.param("+" + "0" * 31, id="plus sign, no hyphens"),
    pytest.param("00000000-0000-0000-0000-00000000_000", id="underscore"),
    pytest.param("%D9%A0" * 32, id="arabic-indic digits"),
    pytest.param("%EF%BC%90" * 32, id="fullwidth digits"),
    pytest.param("0x" + "0" * 30, id="0x prefix"),
    pytest.param("%20" + "0" * 31, id="leading space"),
    pytest.param("0" * 31 + "%0A", id="trailing newline"),
    pytest.param("{00000000-0000-0000-0000-000000000000}", id="braces"),
    pytest.param("urn:uuid:00000000-0000-0000-0000-000000000000", id="urn"),
    pytest.param("0" * 32, id="no hyphens"),
    pytest.param("0000-00000000-0000-0000-000000000000", id="hyphens misplaced"),
]


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
@pytest.mark.parametrize("task_id", UUID_LOOKALIKES)
def test_id_python_parses_but_not_in_8_4_4_4_12_form_is_400(
    client: FlaskClient, method: str, task_id: str
) -> None:
    task = create(client)
    response = client.open(f"{TASKS}/{task_id}", method=method, json={"title": "x"})
    assert_error(response, 400)
    assert "task id must be a UUID" in response.get_json()["error"]
    assert all_tasks(client) == [task]


def test_id_in_upper_case_is_the_same_task(client: FlaskClient) -> None:
    task = create(client)
    assert client.get(f"{TASKS}/{task['id'].upper()}").get_json() == task


def test_other_methods_are_405_json(client: FlaskClient) -> None:
    assert_error(client.patch(TASKS, json={"title": "x"}), 405)
    assert_error(client.post(f"{TASKS}/{uuid.uuid4()}", json={"title": "x"}), 405)


# Any code point, unpaired surrogates included (JSON can carry them all), with the ones
# PostgreSQL cannot store made common enough to be found.
AWKWARD_CHARACTERS = st.sampled_from(["\x00", "\ud800", "\udfff", " ", "\t", "a", "é", "✓"])
ANY_TEXT = st.text(AWKWARD_CHARACTERS | st.characters(exclude_categories=()), max_size=210)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | ANY_TEXT,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(), children, max_size=3),
    max_leaves=5,
)


# derandomize: the same 150 bodies on every run, so CI cannot turn red on a draw.
@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    body=st.fixed_dictionaries(
        {"title": ANY_TEXT}, optional={"completed": st.booleans() | JSON_VALUES, "other": JSON_VALUES}
    )
)
def test_any_title_is_201_or_400_never_500(client: FlaskClient, body: dict[str, Any]) -> None:
    response = client.post(TASKS, json=body)
    assert response.status_code in (201, 400), response.get_json()
    if response.status_code == 201:
        assert client.get(f"{TASKS}/{response.get_json()['id']}").get_json()["title"] == body["title"]
