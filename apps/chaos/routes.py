"""The chaos app's routes: ``GET /`` the Hello World page, the DynamoDB round trips and,
on their own blueprint (registered only while CHAOS_ENABLED), the crash endpoints."""

from __future__ import annotations

from typing import Any, NoReturn

from flask import Blueprint, Response, current_app

from chaos import crash
from chaos.store import ItemStore
from common.extensions import Extension

HOME_PAGE = "<html><head><title>Hello</title></head><body><h1>World</h1></body></html>"

STORE = Extension("chaos.store", ItemStore)

blueprint = Blueprint("chaos", __name__)
crash_blueprint = Blueprint("crash", __name__)


@blueprint.get("/")
def home() -> Response:
    return Response(HOME_PAGE, mimetype="text/html")


@blueprint.get("/dynamodb/read")
def read() -> dict[str, Any]:
    found = STORE.get().newest()
    return {"count": len(found), "items": found}


@blueprint.get("/dynamodb/write")
def write() -> dict[str, Any]:
    return {"item": STORE.get().write()}


@crash_blueprint.get("/panic")
def panic() -> NoReturn:
    raise RuntimeError("oh no")


@crash_blueprint.get("/exit")
def exit_process() -> NoReturn:
    crash.exit_requested(crash.requested_scope())


@crash_blueprint.get("/fatal")
def fatal() -> NoReturn:
    crash.fatal_error(crash.requested_scope())


@crash_blueprint.get("/use-all-memory")
def use_all_memory() -> NoReturn:
    crash.use_all_memory(current_app.config["MEMORY_LIMIT_MB"], current_app.config["MEMORY_CHUNK_MB"])
