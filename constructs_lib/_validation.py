"""Synth-time checks shared by every construct.

Each check skips values that are unresolved tokens (they are only known at deploy
time) and raises ``ValueError`` naming the prop and the bad value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping

from aws_cdk import Token

#: App Runner resource names: a letter or digit, then letters, digits, hyphens or underscores.
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-_]*")


def check_range(prop: str, value: int | float, minimum: int, maximum: int, unit: str = "") -> None:
    """Reject ``value`` outside ``minimum..maximum`` (inclusive) or not a whole number."""
    if Token.is_unresolved(value):
        return
    suffix = f" {unit}" if unit else ""
    if not isinstance(value, int | float):  # bool is an int: refused below, as before
        raise TypeError(f"`{prop}` must be a whole number (int), got {shown(value)}")
    if (
        isinstance(value, bool)
        or not math.isfinite(value)
        or value != int(value)
        or not minimum <= value <= maximum
    ):
        raise ValueError(
            f"`{prop}` must be a whole number between {minimum} and {maximum}{suffix}, got {value!r}"
        )


def check_name(prop: str, value: str, minimum: int, maximum: int) -> None:
    """Reject an App Runner resource name that App Runner itself would reject at deploy time."""
    if Token.is_unresolved(value):
        return
    if not minimum <= len(value) <= maximum:
        raise ValueError(f"`{prop}` must be {minimum} to {maximum} characters long, got {value!r}")
    if not NAME_PATTERN.fullmatch(value):
        raise ValueError(
            f"`{prop}` must start with a letter or digit and contain only letters, digits, "
            f"'-' and '_', got {value!r}"
        )


def check_text(
    prop: str, value: str, *, maximum: int | None = None, forbidden: str = "", rule: str = ""
) -> None:
    """Reject an empty ``value``, one longer than ``maximum`` characters, or one containing any
    character of ``forbidden`` (``rule`` says what the value must be instead)."""
    if Token.is_unresolved(value):
        return
    if not value:
        raise ValueError(f"`{prop}` must not be empty, got {value!r}")
    if maximum is not None and len(value) > maximum:
        raise ValueError(f"`{prop}` must be at most {maximum} characters long, got {len(value)} characters")
    if any(char in value for char in forbidden):
        raise ValueError(f"`{prop}` must {rule}, got {value!r}")


def check_command(prop: str, value: str) -> None:
    """Reject a start or build command App Runner would reject at deploy time: its API pattern
    ``[^\\x0a\\x0d]+`` allows one non-empty line (no length limit)."""
    check_text(prop, value, forbidden="\r\n", rule="be a single line (no CR or LF)")


#: The variable every service sets to its ``port`` (App Runner itself, ``ExpressService`` likewise).
PORT_VARIABLE = "PORT"


def check_variable_name(
    prop: str, name: str, *, taken: Collection[str], port_owner: str, reserved_prefix: str | None = None
) -> None:
    """Reject an environment variable or secret name the service cannot take: empty, already
    ``taken``, ``PORT`` (``port_owner`` sets it to the ``port`` prop), or starting with
    ``reserved_prefix``."""
    if not isinstance(name, str):
        raise TypeError(f"`{prop}` of an environment variable must be a str, got {shown(name)}")
    if Token.is_unresolved(name):
        return
    if not name:
        raise ValueError(f"`{prop}` of an environment variable must not be empty, got {name!r}")
    if reserved_prefix and name.upper().startswith(reserved_prefix):
        raise ValueError(f"`{prop}` must not start with {reserved_prefix} (reserved), got {name!r}")
    if name == PORT_VARIABLE:
        raise ValueError(
            f"`{prop}` must not be {PORT_VARIABLE} (reserved by {port_owner}; set the listening port "
            f"with the `port` prop), got {name!r}"
        )
    if name in taken:
        raise ValueError(f"`{prop}` {name!r} is already set as an environment variable or secret")


#: The regions App Runner is offered in (botocore's endpoint data; a test keeps them in step).
APP_RUNNER_REGIONS = (
    "ap-northeast-1",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "eu-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "us-east-1",
    "us-east-2",
    "us-west-2",
)


def check_app_runner_region(region: str) -> None:
    """Reject a region App Runner is not offered in: there a deployment fails late, at the change
    set, with "Unrecognized resource types". A token (an environment-agnostic stack) passes."""
    if Token.is_unresolved(region) or region in APP_RUNNER_REGIONS:
        return
    raise ValueError(
        f"App Runner is not offered in {region!r}; it is in {', '.join(APP_RUNNER_REGIONS)}. "
        "ECS Express Mode is offered more widely: use ExpressService"
    )


def shown(value: object) -> str:
    """``value`` as a type error names it: its type, and the value itself if it is a plain one."""
    kind = type(value)
    name = kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
    return f"{name} {value!r}" if isinstance(value, str | int | float | bool) else name


def check_type(
    prop: str, value: object, expected: type | tuple[type, ...], wanted: str, *, required: bool = False
) -> None:
    """Reject a ``value`` that is not an instance of ``expected`` (None passes, as the prop's
    default, unless ``required``) with a ``TypeError`` naming the prop, what it got and
    ``wanted``, before the construct fails later with a raw ``AttributeError``."""
    if value is None and not required:
        return
    # A bool is an int to isinstance, never to a prop that wants a number.
    kinds = expected if isinstance(expected, tuple) else (expected,)
    if isinstance(value, expected) and not (isinstance(value, bool) and bool not in kinds):
        return
    raise TypeError(f"`{prop}` must be {wanted}, got {shown(value)}")


def check_interface(prop: str, value: object, attribute: str, wanted: str, *, required: bool = False) -> None:
    """Reject a ``value`` that lacks ``attribute`` of the CDK interface ``wanted`` names (jsii
    interfaces cannot be checked with ``isinstance``); None passes unless ``required``."""
    if (value is not None or required) and not hasattr(value, attribute):
        raise TypeError(f"`{prop}` must be {wanted}, got {shown(value)}")


def check_mapping(prop: str, value: object, expected: type, wanted: str) -> None:
    """Reject a ``value`` that is not a mapping of names to ``expected`` values; None passes."""
    if value is None:
        return
    if not isinstance(value, Mapping):
        raise TypeError(f"`{prop}` must be a mapping of names to {wanted}, got {shown(value)}")
    for name, item in value.items():
        check_type(f"{prop}[{name!r}]", name, str, "a str")
        check_type(f"{prop}[{name!r}]", item, expected, wanted)
