"""DynamoDB trouble: unavailable or throttling is a 503 with Retry-After, our bug a 500
(outages of a real DynamoDB: test_outage.py)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ProxyConnectionError,
    ReadTimeoutError,
    SSLError,
)

from common import ApiError, BackendUnavailable
from common.dynamodb import dynamodb_errors
from tests.support.shortener import AppFactory

URL = "https://example.com/before-the-outage"


class _BadGateway(BaseHTTPRequestHandler):
    """A proxy or load balancer in front of DynamoDB that has lost it: 502, an HTML page."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        body = b"<html><body>502 Bad Gateway</body></html>"
        self.send_response(502)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


@pytest.fixture
def bad_gateway() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _BadGateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_5xx_without_a_dynamodb_error_code_is_a_503(make_app: AppFactory, bad_gateway: str) -> None:
    # botocore names the error by the status ("502"), which no DynamoDB error code matches.
    client = make_app(DYNAMODB_ENDPOINT_URL=bad_gateway, DYNAMODB_MAX_ATTEMPTS=1).test_client()

    for response in (client.get("/abcdefgh"), client.post("/", data=URL)):
        assert response.status_code == 503
        assert response.json == {"error": "DynamoDB is busy; retry later"}
        assert int(response.headers["Retry-After"]) > 0


def test_client_error_that_is_our_bug_is_a_logged_json_500(
    make_app: AppFactory, caplog: pytest.LogCaptureFixture
) -> None:
    client = make_app(TABLE_NAME="no-such-table").test_client()

    with caplog.at_level(logging.ERROR, logger="common.dynamodb"):
        response = client.post("/", data=URL)

    assert response.status_code == 500
    assert response.json == {"error": "internal server error"}
    assert "ResourceNotFoundException" in caplog.text


def client_error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "simulated"}}, "PutItem")


UNAVAILABLE: dict[str, Exception] = {
    **{
        code: client_error(code)
        for code in (
            "ThrottlingException",
            "ProvisionedThroughputExceededException",
            "RequestLimitExceeded",
            "InternalServerError",
            "ServiceUnavailable",
        )
    },
    **{
        error_type.__name__: error_type(
            endpoint_url="http://127.0.0.1:1", proxy_url="http://127.0.0.1:2", error=OSError("simulated")
        )
        for error_type in (
            EndpointConnectionError,
            ConnectTimeoutError,
            ReadTimeoutError,
            ConnectionClosedError,
            SSLError,
            ProxyConnectionError,
        )
    },
}


@pytest.mark.parametrize("error", UNAVAILABLE.values(), ids=UNAVAILABLE.keys())
def test_throttling_and_unreachable_map_to_backend_unavailable(error: Exception) -> None:
    with pytest.raises(BackendUnavailable) as raised, dynamodb_errors():
        raise error

    assert raised.value.status == 503
    assert "Retry-After" in raised.value.headers


def test_other_client_errors_map_to_internal_server_error() -> None:
    with pytest.raises(ApiError) as raised, dynamodb_errors():
        raise client_error("ValidationException")

    assert not isinstance(raised.value, BackendUnavailable)
    assert (raised.value.status, raised.value.message) == (500, "internal server error")
