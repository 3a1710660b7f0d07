"""One HTTP request to a server on 127.0.0.1, for the tools and the tests that start one."""

from __future__ import annotations

import http.client
import json
from typing import Any, NamedTuple

from tools.backends.process import LOCALHOST

JSON_TYPE = "application/json"


class Reply(NamedTuple):
    status: int
    headers: dict[str, str]
    body: bytes


def request(port: int, method: str, path: str, body: Any = None, *, timeout: float = 5.0) -> Reply:
    """``body`` (if any) sent as JSON, on a fresh connection closed afterwards: no
    keep-alive, no retry, redirects not followed."""
    headers = {"Connection": "close"}
    payload = None
    if body is not None:
        headers["Content-Type"] = JSON_TYPE
        payload = json.dumps(body)
    conn = http.client.HTTPConnection(LOCALHOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        return Reply(response.status, dict(response.getheaders()), response.read())
    finally:
        conn.close()


def get(port: int, path: str, *, timeout: float = 5.0) -> tuple[int, bytes]:
    """``GET path``: its status and body."""
    reply = request(port, "GET", path, timeout=timeout)
    return reply.status, reply.body
