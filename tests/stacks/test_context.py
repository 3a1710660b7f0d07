"""cdk.context: values from ``-c key=value`` arrive as strings and are checked by key."""

from __future__ import annotations

import pytest
from aws_cdk import App

from cdk.context import Context, ContextError


def context(**values: str) -> Context:
    return Context(App(context=values).node)


@pytest.mark.parametrize(("raw", "value"), [("0", 0.0), ("0.5", 0.5), ("256", 256.0)])
def test_number_accepts_fractions_within_the_range(raw: str, value: float) -> None:
    assert context(acu=raw).number("acu", minimum=0, maximum=256) == value


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("half", "context `acu` must be a number, got 'half'"),
        ("-0.5", "context `acu` must be between 0 and 256, got '-0.5'"),
        ("256.5", "context `acu` must be between 0 and 256, got '256.5'"),
        ("nan", "context `acu` must be between 0 and 256, got 'nan'"),
    ],
)
def test_number_names_the_key_and_the_bad_value(raw: str, message: str) -> None:
    with pytest.raises(ContextError) as error:
        context(acu=raw).number("acu", minimum=0, maximum=256)
    assert str(error.value) == message
