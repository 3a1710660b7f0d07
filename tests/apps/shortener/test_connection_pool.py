"""Threads of one worker share the DynamoDB client's pooled connections."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.support.shortener import AppFactory

#: More threads than botocore's default pool of 10 (GUNICORN_THREADS may raise the 8).
THREADS = 16
#: Long enough for every thread to be waiting on the endpoint at once.
LATENCY_SECONDS = 0.2


class _SlowDynamoDB(BaseHTTPRequestHandler):
    """Answers every call as ``GetItem`` of a missing item, after a delay: a far-away
    DynamoDB, so that all threads have a request in flight at the same time."""

    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        time.sleep(LATENCY_SECONDS)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def slow_endpoint() -> Iterator[str]:
    with ThreadingHTTPServer(("127.0.0.1", 0), _SlowDynamoDB) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{server.server_address[1]}"
        server.shutdown()


def test_every_thread_keeps_its_connection(
    make_app: AppFactory, slow_endpoint: str, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(DYNAMODB_ENDPOINT_URL=slow_endpoint)
    statuses: list[int] = []
    start = threading.Barrier(THREADS)

    def resolve() -> None:
        client = app.test_client()
        for _ in range(2):
            start.wait(timeout=10)
            statuses.append(client.get("/Zz9Zz9Zz").status_code)

    with caplog.at_level(logging.WARNING, logger="urllib3.connectionpool"):
        threads = [threading.Thread(target=resolve) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

    assert statuses == [404] * THREADS * 2
    # urllib3 warns each time it closes a connection because its pool is full.
    assert not [record.getMessage() for record in caplog.records if record.name == "urllib3.connectionpool"]
