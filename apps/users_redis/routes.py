"""The HTTP API: ``POST /`` saves a user, ``GET /<email>`` finds one."""

from __future__ import annotations

from flask import Blueprint, Response, current_app

from common import NotFound, json_object
from users_redis.model import check_email, parse_user
from users_redis.store import UserStore

EXTENSION = "users_redis"

blueprint = Blueprint("users", __name__)


def _store() -> UserStore:
    store: UserStore = current_app.extensions[EXTENSION]
    return store


@blueprint.post("/")
def save_user() -> Response:
    _store().save(parse_user(json_object()))
    # The original app answered 200 with an empty body; an empty body has no type.
    response = Response(status=200)
    del response.headers["Content-Type"]
    return response


@blueprint.get("/<email>")
def get_user(email: str) -> dict[str, str]:
    user = _store().find(check_email(email))
    if user is None:
        raise NotFound(f"user does not exist {email}")
    return {"email": user.email, "name": user.name}
