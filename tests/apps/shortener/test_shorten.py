"""The article's flow: POST a URL, GET the short code, get redirected."""

from __future__ import annotations

import logging

import pytest
from flask.testing import FlaskClient

from shortener.codes import ALPHABET, CODE_LENGTH
from tests.support.responses import json_object, request_fields
from tests.support.shortener import AppFactory, stored_item
from tools.backends.dynamodb import LocalDynamoDB
from tools.backends.process import free_port

LONG_URL = "https://aws.amazon.com/apprunner/?trk=cdk&x=1#pricing"


def test_curl_flow_raw_body_then_redirect(client: FlaskClient, local_dynamodb: LocalDynamoDB) -> None:
    # curl -X POST -d '<url>' sends the raw URL as a form-encoded body.
    created = client.post("/", data=LONG_URL, content_type="application/x-www-form-urlencoded")

    assert created.status_code == 200
    code = json_object(created)["ShortCode"]
    assert len(code) >= CODE_LENGTH and set(code) <= set(ALPHABET)
    assert created.json == {"ShortCode": code, "ShortURL": f"http://localhost/{code}"}
    assert stored_item(local_dynamodb, code) == {
        "shortcode": {"S": code},
        "longurl": {"S": LONG_URL},
        "active": {"BOOL": True},
    }

    redirected = client.get(f"/{code}")
    assert redirected.status_code == 302
    assert redirected.headers["Location"] == LONG_URL
    assert redirected.data == b""


def test_json_body_is_accepted(client: FlaskClient) -> None:
    created = client.post("/", json={"url": LONG_URL})

    assert created.status_code == 200
    assert client.get(f"/{json_object(created)['ShortCode']}").headers["Location"] == LONG_URL


def test_json_without_json_content_type_is_accepted(client: FlaskClient) -> None:
    created = client.post("/", data=f'{{"url": "{LONG_URL}"}}', content_type="text/plain")

    assert client.get(f"/{json_object(created)['ShortCode']}").headers["Location"] == LONG_URL


def test_short_url_uses_the_request_host(client: FlaskClient) -> None:
    created = client.post("/", data=LONG_URL, base_url="https://abc123.us-east-1.awsapprunner.com")

    code = json_object(created)["ShortCode"]
    assert json_object(created)["ShortURL"] == f"https://abc123.us-east-1.awsapprunner.com/{code}"


def test_non_ascii_url_redirects_to_its_encoded_form(client: FlaskClient) -> None:
    code = json_object(client.post("/", data="https://例え.jp/ü?q=ä".encode()))["ShortCode"]

    assert client.get(f"/{code}").headers["Location"] == "https://xn--r8jz45g.jp/%C3%BC?q=%C3%A4"


@pytest.mark.parametrize("code", ["Zz9Zz9Zz", "short", "has-dash!", "x" * 65])
def test_unknown_code_is_a_json_404(client: FlaskClient, code: str) -> None:
    response = client.get(f"/{code}")

    assert response.status_code == 404
    assert response.json == {"error": f"short code {code!r} not found"}


def test_inactive_link_is_gone(client: FlaskClient, local_dynamodb: LocalDynamoDB) -> None:
    code = json_object(client.post("/", data=LONG_URL))["ShortCode"]
    local_dynamodb.client().update_item(
        TableName="shortener-links",
        Key={"shortcode": {"S": code}},
        UpdateExpression="SET active = :false",
        ExpressionAttributeValues={":false": {"BOOL": False}},
    )

    response = client.get(f"/{code}")

    assert response.status_code == 410
    assert response.json == {"error": f"short code {code!r} is no longer active"}


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", "/", "POST"),
        ("PUT", "/", "POST"),
        ("POST", "/Zz9Zz9Zz", "GET"),
        ("DELETE", "/Zz9Zz9Zz", "GET"),
    ],
)
def test_wrong_method_is_a_json_405(client: FlaskClient, method: str, path: str, allowed: str) -> None:
    response = client.open(path, method=method)

    assert response.status_code == 405
    assert "error" in json_object(response)
    assert allowed in response.headers["Allow"]


def test_nested_path_is_a_json_404(client: FlaskClient) -> None:
    response = client.get("/Zz9Zz9Zz/more")

    assert response.status_code == 404
    assert response.is_json


def test_healthz_does_not_touch_dynamodb(make_app: AppFactory) -> None:
    nothing_listening = f"http://127.0.0.1:{free_port()}"
    client = make_app(DYNAMODB_ENDPOINT_URL=nothing_listening, DYNAMODB_MAX_ATTEMPTS=1).test_client()

    assert client.get("/healthz").status_code == 200
    assert client.post("/", data=LONG_URL).status_code == 503


def test_each_request_is_logged_once(client: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="request"):
        client.get("/Zz9Zz9Zz")

    [fields] = request_fields(caplog.records)
    assert {k: fields[k] for k in ("method", "path", "status")} == {
        "method": "GET",
        "path": "/Zz9Zz9Zz",
        "status": 404,
    }
    assert fields["latency_ms"] >= 0
