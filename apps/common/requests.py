"""Request body parsing that turns every malformed input into a clear 400 (or 413)."""

from __future__ import annotations

from typing import Any

from flask import request
from werkzeug.exceptions import RequestEntityTooLarge

from common.errors import BadRequest


def request_body() -> bytes:
    """The raw body; 413 when it is longer than the app's ``MAX_CONTENT_LENGTH``.

    A body with a ``Content-Length`` over the limit is refused by Werkzeug before it is
    read. A chunked one (no ``Content-Length``) is only read up to the limit, and
    Werkzeug returns that prefix without a word, so the check for more is made here.
    """
    data = request.get_data(cache=True)
    if request.content_length is None:  # chunked, or no body at all
        limit = request.max_content_length
        if limit is not None and len(data) >= limit and request.environ["wsgi.input"].read(1):
            raise RequestEntityTooLarge()
    return data


def json_object() -> dict[str, Any]:
    """The request body as a JSON object, or ``BadRequest`` naming what is wrong."""
    if not request_body():
        raise BadRequest("request body is empty; expected a JSON object")
    try:
        body = request.get_json(force=True, silent=True, cache=True)
    except RecursionError as error:  # not a ValueError, so silent=True lets it through
        raise BadRequest("request body is nested too deeply") from error
    if body is None:
        raise BadRequest("request body is not valid JSON")
    if not isinstance(body, dict):
        raise BadRequest("request body must be a JSON object")
    return body


def is_utf8_encodable(text: str) -> bool:
    """False for a string with an unpaired surrogate: JSON's ``"\\ud800"`` escape makes
    one, and no datastore client can encode it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
