"""Turn request input into typed values, or ``BadRequest`` naming the first problem.

Unknown body fields are ignored, so clients may send a whole task back on update.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from common import BadRequest
from common.requests import is_utf8_encodable
from todo_postgres.models import TITLE_MAX_LENGTH

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
#: PostgreSQL's bigint: a larger OFFSET is a database error, not an empty page.
MAX_OFFSET = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")
#: A task id as the OpenAPI document states it (format uuid, RFC 4122's 8-4-4-4-12 hex
#: digits, either case). ``uuid.UUID`` alone would also take braces, a ``urn:uuid:``
#: prefix, hyphens anywhere or none, and whatever ``int(..., 16)`` does: a sign, ``0x``,
#: underscores, surrounding whitespace and non-ASCII digits.
UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
_UUID = re.compile(UUID_PATTERN)


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int


def task_id(raw: str) -> uuid.UUID:
    # fullmatch: "$" alone would also match before a trailing newline.
    if not _UUID.fullmatch(raw):
        raise BadRequest(f"task id must be a UUID (8-4-4-4-12 hex digits), got {raw!r}")
    return uuid.UUID(raw)


def _title(value: Any) -> str:
    if not isinstance(value, str):
        raise BadRequest("title must be a string")
    if not value.strip():
        raise BadRequest("title must not be empty or whitespace only")
    if len(value) > TITLE_MAX_LENGTH:
        raise BadRequest(f"title must be at most {TITLE_MAX_LENGTH} characters")
    # JSON can carry both, PostgreSQL text can store neither.
    if "\x00" in value or not is_utf8_encodable(value):
        raise BadRequest("title must not contain NUL characters or unpaired surrogates")
    return value


def _completed(value: Any) -> bool:
    # JSON true/false only: 0, 1 and "true" are rejected, not coerced.
    if not isinstance(value, bool):
        raise BadRequest("completed must be true or false")
    return value


def new_task(body: Mapping[str, Any]) -> dict[str, Any]:
    """Column values for ``POST``: ``title`` required, ``completed`` defaults to false."""
    if "title" not in body:
        raise BadRequest("title is required")
    return {"title": _title(body["title"]), "completed": _completed(body.get("completed", False))}


def task_changes(body: Mapping[str, Any]) -> dict[str, Any]:
    """Column values for ``PUT``: at least one of ``title`` and ``completed``."""
    changes: dict[str, Any] = {}
    if "title" in body:
        changes["title"] = _title(body["title"])
    if "completed" in body:
        changes["completed"] = _completed(body["completed"])
    if not changes:
        raise BadRequest("nothing to update: send title and/or completed")
    return changes


def _int_param(args: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = args.get(name)
    if raw is None:
        return default
    if not _DIGITS.fullmatch(raw) or not low <= int(raw) <= high:
        raise BadRequest(f"{name} must be an integer from {low} to {high}, got {raw!r}")
    return int(raw)


def page(args: Mapping[str, str]) -> Page:
    return Page(
        limit=_int_param(args, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
        offset=_int_param(args, "offset", 0, 0, MAX_OFFSET),
    )
