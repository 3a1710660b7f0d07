"""Plain HTTP calls to a server a test started on 127.0.0.1."""

from __future__ import annotations

import http.client

from tools.backends.process import LOCALHOST


def get(port: int, path: str, *, timeout: float = 5.0) -> tuple[int, bytes]:
    """One GET on a fresh connection that is closed afterwards: no keep-alive, no retry."""
    conn = http.client.HTTPConnection(LOCALHOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Connection": "close"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()
