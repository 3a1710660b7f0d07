"""Request body parsing that turns every malformed input into a clear 400."""

from __future__ import annotations

from typing import Any

from flask import request

from common.errors import BadRequest


def json_object() -> dict[str, Any]:
    """The request body as a JSON object, or ``BadRequest`` naming what is wrong."""
    if not request.get_data(cache=True):
        raise BadRequest("request body is empty; expected a JSON object")
    body = request.get_json(force=True, silent=True, cache=True)
    if body is None:
        raise BadRequest("request body is not valid JSON")
    if not isinstance(body, dict):
        raise BadRequest("request body must be a JSON object")
    return body
