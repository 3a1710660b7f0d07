"""Responses every app answers the same way."""

from __future__ import annotations

from flask import Response


def empty_response(status: int) -> Response:
    """``status`` with no body and so no ``Content-Type`` (Flask would add ``text/html``
    to a body that is not there): a 204, or a 200 that only says "done"."""
    response = Response(status=status)
    del response.headers["Content-Type"]
    return response
