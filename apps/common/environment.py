"""Reading an app's environment: the one way every app's ``settings.load`` does it.

Each app's ``settings`` module names its variables and has one entry point,
``load(environ, overrides)``: the Flask config it reads from ``environ`` (normally
``os.environ``), or ``SettingsError`` naming every variable that is missing or wrong,
so a misconfigured service stops at start-up instead of failing requests.
``overrides`` is the ``config`` given to ``create_app`` (tests): a variable it names
replaces the environment's, which is then neither required nor checked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

#: The words a boolean variable accepts, in any case and with surrounding whitespace.
#: ``cdk/context.py`` (which cannot import the apps) accepts the same ones for context
#: flags; tests/apps/common/test_environment.py holds the two sets equal.
TRUE_WORDS: frozenset[str] = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS: frozenset[str] = frozenset({"0", "false", "no", "off"})

#: ``create_app``'s ``config``, as each app's ``load`` takes it.
Overrides = Mapping[str, object]


class SettingsError(RuntimeError):
    """The environment is missing a variable or has one the app cannot use; the message
    names each such variable (never a secret's value)."""


def parse_bool(name: str, raw: str) -> bool:
    """``raw``, the value of variable ``name``, as a boolean (``TRUE_WORDS`` or
    ``FALSE_WORDS``), or ``SettingsError`` naming the variable and the words it takes."""
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    accepted = ", ".join(sorted(TRUE_WORDS | FALSE_WORDS))
    raise SettingsError(f"{name} must be true or false (one of {accepted}, any case), got {raw!r}")


class Environment:
    """The variables an app reads: ``environ``, with each one ``overrides`` names
    replaced by the caller's value (as text)."""

    def __init__(self, environ: Mapping[str, str], overrides: Overrides | None = None) -> None:
        self._environ = environ
        self._overrides = overrides or {}

    def get(self, name: str) -> str | None:
        """The value of ``name``, unchanged; None when it is unset, empty or only whitespace."""
        value = self._overrides[name] if name in self._overrides else self._environ.get(name)
        if value is None:
            return None
        text = value if isinstance(value, str) else str(value)
        return text if text.strip() else None

    def flag(self, name: str, *, default: bool) -> bool:
        """``name`` as a boolean (``parse_bool``), ``default`` when unset."""
        raw = self.get(name)
        return default if raw is None else parse_bool(name, raw)

    def require(self, app: str, names: Iterable[str], *, hint: str = "") -> None:
        """``SettingsError`` naming, in the order given, every one of ``names`` that is
        unset (``hint`` says how to set them)."""
        missing = [name for name in names if self.get(name) is None]
        if missing:
            raise SettingsError(f"{app}: missing required environment variable(s) {', '.join(missing)}{hint}")

    def config(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """``values`` less the keys ``overrides`` sets: ``create_base_app`` applies the
        caller's config last, so what the app loads holds only what it read itself."""
        return {key: value for key, value in values.items() if key not in self._overrides}
