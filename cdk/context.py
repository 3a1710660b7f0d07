"""Typed access to CDK context, the one source of every deploy-time setting.

Defaults live in ``cdk.json``; ``cdk ... -c key=value`` (``make deploy-<app>
CONTEXT="key=value"``) overrides them. Values from the command line arrive as strings,
so every getter converts and validates, naming the key and the bad value.

Importing this module does not load the CDK (``make``'s CONTEXT check uses it first).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from constructs import Node

CDK_JSON = Path(__file__).resolve().parents[1] / "cdk.json"
#: Keys of the CDK's own (feature flags, ``aws:cdk:...``): passed on, never checked.
CDK_KEY_PREFIXES = ("@", "aws:")

#: The words a boolean flag accepts, in any case: the apps' boolean variables accept the
#: same ones (``apps/common/environment.py``, which this module cannot import; a test holds
#: the two sets equal).
TRUE_WORDS: frozenset[str] = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS: frozenset[str] = frozenset({"0", "false", "no", "off"})

T = TypeVar("T", bound=str)
V = TypeVar("V")


class ContextError(ValueError):
    pass


def configuration_error(error: ValueError) -> str:
    """The one line reporting a bad setting: ``error``, and the stack its notes name."""
    where = " ".join(getattr(error, "__notes__", ()))
    return f"Configuration error{f' {where}' if where else ''}: {error}"


class Context:
    def __init__(self, node: Node) -> None:
        self._node = node

    def _raw(self, key: str) -> object:
        value = self._node.try_get_context(key)
        if value is None:
            raise ContextError(f"context key `{key}` is not set: add it to cdk.json or pass -c {key}=<value>")
        return value

    def string(self, key: str) -> str:
        return str(self._raw(key))

    def optional_string(self, key: str) -> str | None:
        value = self._node.try_get_context(key)
        return None if value in (None, "") else str(value)

    def integer(self, key: str, *, minimum: int, maximum: int) -> int:
        raw = self._raw(key)
        try:
            value = int(str(raw))
        except ValueError:
            raise ContextError(f"context `{key}` must be an integer, got {raw!r}") from None
        if not minimum <= value <= maximum:
            raise ContextError(f"context `{key}` must be between {minimum} and {maximum}, got {value}")
        return value

    def number(self, key: str, *, minimum: float, maximum: float) -> float:
        raw = self._raw(key)
        try:
            value = float(str(raw))
        except ValueError:
            raise ContextError(f"context `{key}` must be a number, got {raw!r}") from None
        if not minimum <= value <= maximum:  # also false for nan
            raise ContextError(f"context `{key}` must be between {minimum:g} and {maximum:g}, got {raw!r}")
        return value

    def boolean(self, key: str) -> bool:
        raw = self._raw(key)
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        raise ContextError(f"context `{key}` must be true or false, got {raw!r}")

    def parsed(self, key: str, parse: Callable[[str], V]) -> V:
        """``parse(value)``, its ``ValueError`` naming ``key`` (``parsed("app:cpu", Cpu.of)``)."""
        raw = self.string(key)
        try:
            return parse(raw)
        except ValueError as error:
            raise ContextError(f"context `{key}`: {error}") from None

    def choice(self, key: str, options: Sequence[T]) -> T:
        raw = self.string(key)
        for option in options:
            if raw.lower() == option.lower():
                return option
        raise ContextError(f"context `{key}` must be one of {', '.join(options)}, got {raw!r}")


def cdk_json_context() -> dict[str, Any]:
    """The context defaults in ``cdk.json`` (what the CLI passes to the app)."""
    context: dict[str, Any] = json.loads(CDK_JSON.read_text())["context"]
    return context


def check_keys(keys: Iterable[str]) -> None:
    """Refuse a key that is not in cdk.json's context, naming the closest one that is.

    Keys of the CDK's own (``@aws-cdk/...``, ``aws:...``) are not checked. The known keys
    are read from cdk.json, so a key added there is known at once.
    """
    known = [key for key in cdk_json_context() if not key.startswith(CDK_KEY_PREFIXES)]
    for key in keys:
        if key in known or key.startswith(CDK_KEY_PREFIXES):
            continue
        closest = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        if closest:
            raise ContextError(f"unknown context key `{key}`: did you mean `{closest[0]}`?")
        # Keys of one namespace are summarized: shortener:..., chaos:...
        summary = dict.fromkeys(f"{name.partition(':')[0]}:..." if ":" in name else name for name in known)
        raise ContextError(f"unknown context key `{key}`: the keys are cdk.json's: {', '.join(summary)}")
