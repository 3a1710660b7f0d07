"""apps/common/log.py: one JSON line per request, whatever the request's fate."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest
from flask import Flask, Response, request
from flask.testing import FlaskClient
from werkzeug.test import EnvironBuilder

from common import BadRequest, create_base_app
from common.log import JsonFormatter, RequestLog
from tests.support.responses import request_fields

if TYPE_CHECKING:
    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIEnvironment


@pytest.fixture
def app() -> Flask:
    app = create_base_app(__name__, settings={})

    @app.get("/ok")
    def ok() -> str:
        return "ok"

    @app.post("/bad")
    def bad() -> Response:
        raise BadRequest("no")

    @app.get("/bug")
    def bug() -> Response:
        raise RuntimeError("a bug")

    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/ok", 200),
        ("POST", "/bad", 400),
        ("GET", "/missing", 404),
        ("DELETE", "/ok", 405),
        ("GET", "/bug", 500),
        ("GET", "/healthz", 200),
    ],
)
def test_each_request_is_logged_once_with_its_status(
    client: FlaskClient, caplog: pytest.LogCaptureFixture, method: str, path: str, status: int
) -> None:
    with caplog.at_level(logging.INFO, logger="request"):
        response = client.open(path, method=method)

    assert response.status_code == status
    [fields] = request_fields(caplog.records)
    assert {k: fields[k] for k in ("method", "path", "status")} == {
        "method": method,
        "path": path,
        "status": status,
    }
    assert isinstance(fields["latency_ms"], float) and fields["latency_ms"] >= 0


def test_the_logged_path_is_the_one_flask_routes(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Non-ASCII paths arrive as latin-1 WSGI strings; the log shows them decoded."""
    seen: list[str] = []

    @app.get("/<name>")
    def echo(name: str) -> str:
        seen.append(request.path)
        return name

    with caplog.at_level(logging.INFO, logger="request"):
        client.get("/caf%C3%A9")

    [fields] = request_fields(caplog.records)
    assert seen == ["/café"]
    assert fields["path"] == "/café"


def test_an_error_that_escapes_the_app_is_logged_as_500(caplog: pytest.LogCaptureFixture) -> None:
    """Flask's own failures (the error handler raising, say) still leave a line."""

    def broken(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        raise RuntimeError("broken")

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: OptExcInfo | None = None, /
    ) -> Callable[[bytes], object]:
        return lambda data: None

    with caplog.at_level(logging.INFO, logger="request"), pytest.raises(RuntimeError):
        RequestLog(broken)(EnvironBuilder("/x", method="PUT").get_environ(), start_response)

    [fields] = request_fields(caplog.records)
    assert fields["method"] == "PUT"
    assert fields["path"] == "/x"
    assert fields["status"] == 500


def test_a_request_below_the_log_level_is_not_logged(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="request"):
        client.get("/ok")

    assert request_fields(caplog.records) == []


def test_a_record_is_one_json_line_with_its_fields_and_exception() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        exc_info = sys.exc_info()
    record = logging.LogRecord("request", logging.ERROR, __file__, 1, "failed %s", ("x",), exc_info)
    record.fields = {"status": 500, "when": object}

    line = JsonFormatter().format(record)

    assert "\n" not in line  # the traceback too stays on the one line
    entry = json.loads(line)
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "request"
    assert entry["message"] == "failed x"
    assert entry["status"] == 500
    assert entry["when"] == str(object)  # values JSON cannot encode are logged as str
    assert "ValueError: boom" in entry["exception"]


@pytest.fixture
def root_level() -> Iterator[None]:
    """The root logger's level is the process's: put it back after a test changes it."""
    level = logging.getLogger().level
    yield
    logging.getLogger().setLevel(level)


@pytest.mark.usefixtures("root_level")
@pytest.mark.parametrize(("value", "level"), [("debug", logging.DEBUG), (" Warning ", logging.WARNING)])
def test_log_level_is_read_in_any_case(value: str, level: int) -> None:
    create_base_app(__name__, settings={"LOG_LEVEL": value})

    assert logging.getLogger().level == level


@pytest.mark.usefixtures("root_level")
def test_an_unknown_log_level_names_the_value() -> None:
    with pytest.raises(ValueError, match=r"^LOG_LEVEL must be one of DEBUG, INFO, .* got 'verbose'$"):
        create_base_app(__name__, settings={"LOG_LEVEL": "verbose"})
