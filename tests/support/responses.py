"""What the app tests read from a Flask test response or a request log line, typed."""

from __future__ import annotations

from collections.abc import Iterable
from logging import LogRecord
from typing import Any

from werkzeug.test import TestResponse


def json_object(response: TestResponse) -> dict[str, Any]:
    """``response``'s body, which must be a JSON object (fails the test otherwise)."""
    body = response.get_json(silent=True)
    assert isinstance(body, dict), f"expected a JSON object, got {response.status} {response.data[:200]!r}"
    return body


def request_fields(records: Iterable[LogRecord]) -> list[dict[str, Any]]:
    """The ``fields`` of each ``request`` log line (``common.log.RequestLog``'s one line per request)."""
    found = []
    for record in records:
        if record.name == "request":
            fields = record.__dict__.get("fields")
            assert isinstance(fields, dict), f"request log line without fields: {record.getMessage()!r}"
            found.append(fields)
    return found
