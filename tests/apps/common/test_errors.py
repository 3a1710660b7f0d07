"""apps/common/errors.py: an ``ApiError`` the server caused is logged, a client's is not;
no answer of the app is an HTML page."""

from __future__ import annotations

import logging

import pytest
from flask import Flask, Response
from flask.testing import FlaskClient

from common import ApiError, create_base_app


@pytest.fixture
def client() -> FlaskClient:
    app: Flask = create_base_app(__name__, settings={})

    @app.get("/api/items")
    def items() -> list[str]:
        return []

    @app.get("/fail/<int:status>")
    def fail(status: int) -> Response:
        raise ApiError(f"failed with {status}", status=status)

    return app.test_client()


@pytest.mark.parametrize("status", [500, 502, 503, 400, 404, 409, 499])
def test_an_api_error_is_logged_only_when_the_server_caused_it(
    client: FlaskClient, caplog: pytest.LogCaptureFixture, status: int
) -> None:
    with caplog.at_level(logging.INFO):
        response = client.get(f"/fail/{status}")

    assert response.status_code == status
    assert response.get_json() == {"error": f"failed with {status}"}
    logged = [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "common.errors"]
    assert logged == ([(logging.WARNING, f"request failed: failed with {status}")] if status >= 500 else [])


def test_a_doubled_slash_is_a_json_404_not_an_html_redirect(client: FlaskClient) -> None:
    assert client.get("/api/items").status_code == 200

    response = client.get("/api//items")

    assert response.status_code == 404
    assert response.is_json
    assert "Location" not in response.headers


def test_the_automatic_options_answer_has_no_content_type(client: FlaskClient) -> None:
    response = client.options("/api/items")

    assert response.status_code == 200
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert response.get_data() == b""
    assert "Content-Type" not in response.headers
