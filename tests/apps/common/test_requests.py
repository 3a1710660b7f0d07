"""``common.requests``: request bodies over the limit get 413 however they are sent,
and bodies JSON cannot parse get 400."""

from __future__ import annotations

import io

import pytest
from flask import Flask, jsonify
from flask.testing import FlaskClient
from werkzeug.wrappers import Response

from common import create_base_app, json_object
from common.requests import request_body

LIMIT = 64


def make_client(limit: int) -> FlaskClient:
    app: Flask = create_base_app(__name__, settings={"MAX_CONTENT_LENGTH": limit})

    @app.post("/raw")
    def raw() -> Response:
        return jsonify(length=len(request_body()))

    @app.post("/json")
    def parsed() -> Response:
        return jsonify(json_object())

    return app.test_client()


@pytest.fixture
def client() -> FlaskClient:
    return make_client(LIMIT)


def post_chunked(client: FlaskClient, path: str, body: bytes) -> Response:
    """As gunicorn passes a chunked body on: decoded, the input marked terminated, and
    the length unknown (Werkzeug ignores Content-Length under chunked encoding)."""
    return client.post(
        path,
        input_stream=io.BytesIO(body),
        content_type="application/json",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )


@pytest.mark.parametrize("size", [0, 1, LIMIT - 1, LIMIT])
def test_a_chunked_body_up_to_the_limit_is_read_whole(client: FlaskClient, size: int) -> None:
    response = post_chunked(client, "/raw", b"x" * size)
    assert response.status_code == 200
    assert response.get_json() == {"length": size}


@pytest.mark.parametrize("size", [LIMIT + 1, 10 * LIMIT])
def test_a_chunked_body_over_the_limit_is_too_large(client: FlaskClient, size: int) -> None:
    # Werkzeug alone would hand the view the first LIMIT bytes.
    response = post_chunked(client, "/raw", b" " * size)
    assert response.status_code == 413
    assert "error" in response.get_json()


def test_a_body_with_a_length_over_the_limit_is_too_large(client: FlaskClient) -> None:
    assert client.post("/raw", data=b"x" * (LIMIT + 1)).status_code == 413


def test_a_chunked_json_body_over_the_limit_is_too_large_not_invalid(client: FlaskClient) -> None:
    body = b'{"name": "' + b"n" * LIMIT + b'"}'
    assert post_chunked(client, "/json", body).status_code == 413


def test_a_chunked_json_body_under_the_limit_is_parsed(client: FlaskClient) -> None:
    response = post_chunked(client, "/json", b'{"name": "n"}')
    assert response.status_code == 200
    assert response.get_json() == {"name": "n"}


def test_json_nested_deeper_than_python_can_parse_is_a_400() -> None:
    # 5,000 levels is past Python's recursion limit (1,000), in 5 KB.
    response = make_client(10_000).post("/json", data=b"[" * 5000, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json() == {"error": "request body is nested too deeply"}
