"""Bad input gets a clear 400 (or 413) and is never stored."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from shortener.openapi import DOCUMENT
from shortener.routes import MAX_URL_LENGTH
from shortener.settings import MAX_CONTENT_LENGTH
from tests.support.responses import json_object
from tests.support.shortener import item_count
from tools.backends.dynamodb import LocalDynamoDB

ABSOLUTE = "https://example.com/"


@pytest.fixture
def nothing_stored(local_dynamodb: LocalDynamoDB) -> Iterator[None]:
    before = item_count(local_dynamodb)
    yield
    assert item_count(local_dynamodb) == before


BAD_RAW_BODIES = {
    "empty": (b"", "request body is empty"),
    "whitespace only": (b" \n\t ", "request body is empty"),
    "javascript": (b"javascript:alert(1)", "absolute http:// or https://"),
    "data": (b"data:text/html,<script>alert(1)</script>", "absolute http:// or https://"),
    "file": (b"file:///etc/passwd", "absolute http:// or https://"),
    "ftp": (b"ftp://example.com/file", "absolute http:// or https://"),
    "relative path": (b"/some/path", "absolute http:// or https://"),
    "no scheme": (b"example.com/page", "absolute http:// or https://"),
    "scheme-relative": (b"//example.com/page", "absolute http:// or https://"),
    "no host": (b"http:///path", "absolute http:// or https://"),
    "scheme only": (b"https://", "absolute http:// or https://"),
    "bad port": (b"http://example.com:99999/", "URL is malformed"),
    "bad ipv6": (b"http://[::1/", "URL is malformed"),
    "inner space": (b"https://example.com/a b", "whitespace or control"),
    "header injection": (b"https://example.com/\r\nSet-Cookie: a=b", "whitespace or control"),
    "too long": (("https://example.com/" + "a" * MAX_URL_LENGTH).encode(), f"longer than {MAX_URL_LENGTH}"),
    "not utf-8": (b"https://example.com/\xff", "UTF-8"),
    "malformed json": (b'{"url": "https://example.com/"', "not valid JSON"),
    # Hosts the redirect's Location header could not carry (IDNA: empty or 64+ character labels).
    "empty host label": (b"https://a..b/", "not a valid domain name"),
    "leading dot": (b"https://.example.com/", "not a valid domain name"),
    "host label too long": (b"https://" + b"a" * 64 + b".com/", "not a valid domain name"),
    # IDNA 2003 (the redirect) and browsers (UTS 46) encode these as different hosts.
    "sharp s": ("http://straße.de/".encode(), "must not contain ß or ς"),
    "final sigma": ("http://ας.gr/".encode(), "must not contain ß or ς"),
    "zero-width joiner": ("http://a\u200db.com/".encode(), "whitespace or control"),
    # A browser reads a backslash as "/", urlsplit and the escaped redirect do not (evil.com).
    "backslash before userinfo": (b"http://a.com\\@evil.com/", "backslash"),
    "backslash as authority end": (b"https://example.com\\.evil.com/", "backslash"),
    "backslash in path": (b"https://example.com/a\\b", "backslash"),
    "backslash after scheme": (b"https:\\\\evil.com/", "backslash"),
}


@pytest.mark.usefixtures("nothing_stored")
@pytest.mark.parametrize(("body", "message"), BAD_RAW_BODIES.values(), ids=BAD_RAW_BODIES.keys())
def test_bad_raw_body_is_rejected(client: FlaskClient, body: bytes, message: str) -> None:
    response = client.post("/", data=body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 400
    assert message in json_object(response)["error"]


BAD_JSON_BODIES = {
    "malformed": ('{"url": ', "not valid JSON"),
    "array": (f'["{ABSOLUTE}"]', "must be a JSON object"),
    "string": (f'"{ABSOLUTE}"', "must be a JSON object"),
    "no url": ('{"link": "https://example.com/"}', 'non-empty string "url"'),
    "url not a string": ('{"url": 42}', 'non-empty string "url"'),
    "empty url": ('{"url": "  "}', 'non-empty string "url"'),
    "javascript url": ('{"url": "javascript:alert(1)"}', "absolute http:// or https://"),
    "backslash url": ('{"url": "http://a.com\\\\@evil.com/"}', "backslash"),
    # Deeper than Python's recursion limit, yet under the 4 KB body limit.
    "nested too deeply": ('{"url": ' + "[" * 3000, "nested too deeply"),
}


@pytest.mark.usefixtures("nothing_stored")
@pytest.mark.parametrize(("body", "message"), BAD_JSON_BODIES.values(), ids=BAD_JSON_BODIES.keys())
def test_bad_json_body_is_rejected(client: FlaskClient, body: str, message: str) -> None:
    response = client.post("/", data=body, content_type="application/json")

    assert response.status_code == 400
    assert message in json_object(response)["error"]


def test_longest_allowed_url_is_accepted(client: FlaskClient) -> None:
    url = ABSOLUTE + "a" * (MAX_URL_LENGTH - len(ABSOLUTE))

    code = json_object(client.post("/", data=url))["ShortCode"]

    assert client.get(f"/{code}").headers["Location"] == url


@pytest.mark.usefixtures("nothing_stored")
def test_one_character_over_the_longest_url_is_a_json_400(client: FlaskClient) -> None:
    url = ABSOLUTE + "a" * (MAX_URL_LENGTH + 1 - len(ABSOLUTE))

    response = client.post("/", data=url)

    assert response.status_code == 400
    assert response.json == {"error": f"URL is longer than {MAX_URL_LENGTH} characters"}


@pytest.mark.usefixtures("nothing_stored")
def test_oversized_body_is_a_json_413(client: FlaskClient) -> None:
    response = client.post("/", data=ABSOLUTE + "a" * MAX_CONTENT_LENGTH)

    assert response.status_code == 413
    assert "error" in json_object(response)


BACKSLASH_URLS = [body.decode() for body, message in BAD_RAW_BODIES.values() if message == "backslash"]


@pytest.mark.parametrize("url", BACKSLASH_URLS)
def test_document_rejects_the_backslash_urls_the_app_rejects(url: str) -> None:
    schema = DOCUMENT["paths"]["/"]["post"]["requestBody"]["content"]["text/plain"]["schema"]

    assert re.search(schema["pattern"], url) is None


@pytest.mark.usefixtures("nothing_stored")
def test_backslash_url_is_a_json_400(client: FlaskClient) -> None:
    response = client.post("/", json={"url": "http://a.com\\@evil.com/"})

    assert response.status_code == 400
    assert response.json == {"error": "URL must not contain a backslash"}
