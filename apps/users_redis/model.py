"""A user and the rules its fields follow."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from common import BadRequest
from common.requests import is_utf8_encodable

MAX_FIELD_LENGTH = 256


@dataclass(frozen=True)
class User:
    email: str
    name: str


def parse_user(body: dict[str, Any]) -> User:
    """The user in a request body; unknown extra fields are ignored."""
    return User(email=check_email(_text(body, "email")), name=_text(body, "name"))


def check_email(email: str) -> str:
    """``email`` if it looks like an address (one @, a dotted domain, no whitespace, no
    ``/``: ``GET /<email>`` could never find a user saved with one)."""
    _check_length("email", email)
    local, at, domain = email.partition("@")
    valid = (
        at == "@"
        and local != ""
        and "@" not in domain
        and "." in domain
        and all(domain.split("."))
        and "/" not in email
        and email.isprintable()
        and not any(char.isspace() for char in email)
    )
    if not valid:
        raise BadRequest(f"'email' is not a valid email address: {email!r}")
    return email


def _text(body: dict[str, Any], field: str) -> str:
    if field not in body:
        raise BadRequest(f"'{field}' is required")
    value = body[field]
    if not isinstance(value, str):
        raise BadRequest(f"'{field}' must be a string")
    if not value.strip():
        raise BadRequest(f"'{field}' must not be empty")
    if not is_utf8_encodable(value):
        raise BadRequest(f"'{field}' must not contain unpaired surrogates")
    _check_length(field, value)
    return value


def _check_length(field: str, value: str) -> None:
    if len(value) > MAX_FIELD_LENGTH:
        raise BadRequest(f"'{field}' must be at most {MAX_FIELD_LENGTH} characters")
