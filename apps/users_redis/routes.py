"""The HTTP API: ``POST /`` saves a user, ``GET /<email>`` finds one."""

from __future__ import annotations

from flask import Blueprint, Response

from common import NotFound, json_object
from common.extensions import Extension
from common.responses import empty_response
from users_redis.model import check_email, parse_user
from users_redis.store import UserStore

STORE = Extension("users_redis.store", UserStore)

blueprint = Blueprint("users", __name__)


@blueprint.post("/")
def save_user() -> Response:
    STORE.get().save(parse_user(json_object()))
    # The original app answered 200 with an empty body.
    return empty_response(200)


@blueprint.get("/<email>")
def get_user(email: str) -> dict[str, str]:
    user = STORE.get().find(check_email(email))
    if user is None:
        raise NotFound(f"user does not exist {email}")
    return {"email": user.email, "name": user.name}
