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


def test_a_missing_key_says_where_to_set_it() -> None:
    with pytest.raises(
        ContextError, match=r"^context key `acu` is not set: add it to cdk.json or pass -c acu=<value>$"
    ):
        context().string("acu")


@pytest.mark.parametrize(
    ("raw", "message"), [("two", "must be an integer, got 'two'"), ("26", "must be between 1 and 25, got 26")]
)
def test_integer_names_the_key_and_the_bad_value(raw: str, message: str) -> None:
    with pytest.raises(ContextError) as error:
        context(size=raw).integer("size", minimum=1, maximum=25)
    assert str(error.value) == f"context `size` {message}"


@pytest.mark.parametrize(
    ("raw", "value"),
    [("true", True), ("YES", True), ("1", True), ("False", False), ("no", False), ("0", False)],
)
def test_boolean_reads_the_usual_spellings(raw: str, value: bool) -> None:
    assert context(flag=raw).boolean("flag") is value


def test_boolean_refuses_anything_else() -> None:
    with pytest.raises(ContextError, match=r"^context `flag` must be true or false, got 'maybe'$"):
        context(flag="maybe").boolean("flag")


def test_choice_ignores_case_and_returns_the_option_as_spelled() -> None:
    assert context(policy="RETAIN").choice("policy", ["retain", "destroy"]) == "retain"
    with pytest.raises(ContextError, match=r"^context `policy` must be one of retain, destroy, got 'keep'$"):
        context(policy="keep").choice("policy", ["retain", "destroy"])
