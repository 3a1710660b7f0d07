"""The users API on both backends: the article's curl flow, updates and bad input."""

from __future__ import annotations

import uuid

import pytest
from flask.testing import FlaskClient

from tests.support.users_redis import new_email
from users_redis.model import MAX_FIELD_LENGTH


def test_article_flow(client: FlaskClient) -> None:
    first, second = new_email(), new_email()
    for email, name in ((first, "user1"), (second, "user2")):
        created = client.post("/", json={"email": email, "name": name})
        assert created.status_code == 200
        assert created.data == b""

    found = client.get(f"/{second}")
    assert found.status_code == 200
    assert found.get_json() == {"email": second, "name": "user2"}

    unknown = new_email()
    missing = client.get(f"/{unknown}")
    assert missing.status_code == 404
    assert missing.is_json
    assert missing.get_json() == {"error": f"user does not exist {unknown}"}


def test_posting_an_existing_email_updates_the_name(client: FlaskClient) -> None:
    email = new_email()
    assert client.post("/", json={"email": email, "name": "before"}).status_code == 200
    assert client.post("/", json={"email": email, "name": "after"}).status_code == 200
    assert client.get(f"/{email}").get_json() == {"email": email, "name": "after"}


def test_unknown_fields_are_ignored(client: FlaskClient) -> None:
    email = new_email()
    body = {"email": email, "name": "n", "admin": True, "extra": {"x": 1}}
    assert client.post("/", json=body).status_code == 200
    assert client.get(f"/{email}").get_json() == {"email": email, "name": "n"}


def test_fields_of_the_maximum_length_are_stored(client: FlaskClient) -> None:
    domain = "@example.com"
    email = "a" * (MAX_FIELD_LENGTH - len(domain)) + domain
    name = "ñ" * MAX_FIELD_LENGTH
    assert client.post("/", json={"email": email, "name": name}).status_code == 200
    assert client.get(f"/{email}").get_json() == {"email": email, "name": name}


def test_plus_addresses_and_unicode_names_round_trip(client: FlaskClient) -> None:
    email = f"first.last+{uuid.uuid4().hex[:8]}@mail.example.co.uk"
    assert client.post("/", json={"email": email, "name": "Zoë 山田"}).status_code == 200
    assert client.get(f"/{email}").get_json() == {"email": email, "name": "Zoë 山田"}


TOO_LONG = "x" * (MAX_FIELD_LENGTH + 1)
# Input is checked before Redis is touched: one backend is enough for the bad-input cases.
standalone_only = pytest.mark.parametrize("backend", ["standalone"], indirect=True)


@standalone_only
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "n"}, "'email' is required"),
        ({"email": "EMAIL"}, "'name' is required"),
        ({"email": "", "name": "n"}, "'email' must not be empty"),
        ({"email": "EMAIL", "name": ""}, "'name' must not be empty"),
        ({"email": "EMAIL", "name": "   "}, "'name' must not be empty"),
        ({"email": 42, "name": "n"}, "'email' must be a string"),
        ({"email": "EMAIL", "name": None}, "'name' must be a string"),
        ({"email": "EMAIL", "name": ["n"]}, "'name' must be a string"),
        ({"email": "no-at-sign.example.com", "name": "n"}, "not a valid email"),
        ({"email": "two@at@example.com", "name": "n"}, "not a valid email"),
        ({"email": "@example.com", "name": "n"}, "not a valid email"),
        ({"email": "user@localhost", "name": "n"}, "not a valid email"),
        ({"email": "user@example..com", "name": "n"}, "not a valid email"),
        ({"email": "us er@example.com", "name": "n"}, "not a valid email"),
        ({"email": "user@example.com\n", "name": "n"}, "not a valid email"),
        # GET /<email> could never find these: "/" splits the path.
        ({"email": "/user@example.com", "name": "n"}, "not a valid email"),
        ({"email": "us/er@example.com", "name": "n"}, "not a valid email"),
        ({"email": TOO_LONG + "@example.com", "name": "n"}, "'email' must be at most 256"),
        ({"email": "EMAIL", "name": TOO_LONG}, "'name' must be at most 256"),
        # JSON's escape for half a surrogate pair: valid JSON, but no Redis client can encode it.
        ({"email": "EMAIL", "name": "Zo\ud800"}, "'name' must not contain unpaired surrogates"),
    ],
)
def test_invalid_users_are_rejected_and_not_stored(
    client: FlaskClient, fields: dict[str, object], message: str
) -> None:
    email = new_email()
    body = {key: email if value == "EMAIL" else value for key, value in fields.items()}
    response = client.post("/", json=body)
    assert response.status_code == 400
    assert message in response.get_json()["error"]
    assert client.get(f"/{email}").status_code == 404


@standalone_only
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "request body is empty"),
        (b'{"email": "a@example.com", "name": ', "not valid JSON"),
        # The article's curl command as published (its braces were lost).
        (b'"email":"user1@example.com", "name":"user1"', "not valid JSON"),
        (b'["a@example.com", "user1"]', "must be a JSON object"),
        (b'{"email": ' + b"[" * 5000, "nested too deeply"),
    ],
)
def test_malformed_bodies_are_rejected(client: FlaskClient, data: bytes, message: str) -> None:
    response = client.post("/", data=data, content_type="application/json")
    assert response.status_code == 400
    assert message in response.get_json()["error"]


@standalone_only
def test_looking_up_something_that_is_not_an_email_is_a_bad_request(client: FlaskClient) -> None:
    response = client.get("/not-an-email")
    assert response.status_code == 400
    assert "not a valid email" in response.get_json()["error"]


def test_healthz(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
