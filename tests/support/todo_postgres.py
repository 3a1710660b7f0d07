"""Helpers of the todo_postgres app tests."""

from __future__ import annotations

from flask import Flask

from todo_postgres.db import Database
from todo_postgres.routes import STORE


def database_of(app: Flask) -> Database:
    return STORE.of(app)
