"""The datastore client an app keeps in ``app.extensions``, reached with its own type.

Each app makes its client (a store, a database) once in ``create_app`` and its routes
reach it through the app serving the request; an ``Extension`` names the slot and its
type in one place, so no route casts what it reads.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from flask import Flask, current_app

T = TypeVar("T")


class Extension(Generic[T]):
    """The slot ``name`` of ``app.extensions``, holding one ``kind``."""

    def __init__(self, name: str, kind: type[T]) -> None:
        self.name = name
        self.kind = kind

    def init_app(self, app: Flask, value: T) -> None:
        """Keep ``value`` in ``app`` (``create_app`` does, once)."""
        app.extensions[self.name] = value

    def of(self, app: Flask) -> T:
        """What ``app`` keeps here; ``TypeError`` if that is not a ``kind``."""
        value = app.extensions[self.name]
        if not isinstance(value, self.kind):
            raise TypeError(
                f"app.extensions[{self.name!r}] is a {type(value).__name__}, not a {self.kind.__name__}"
            )
        return value

    def get(self) -> T:
        """What the app serving the current request keeps here."""
        return self.of(current_app)
