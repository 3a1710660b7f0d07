"""cdk.context: values from ``-c key=value`` arrive as strings and are checked by key; keys
are checked against cdk.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aws_cdk import App

from cdk import context as cdk_context
from cdk.context import Context, ContextError, cdk_json_context, check_keys


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


def test_parsed_names_the_key_when_the_value_does_not_parse() -> None:
    def vcpus(raw: str) -> float:
        if not raw.endswith(" vCPU"):
            raise ValueError(f"`cpu` must end in vCPU, got {raw!r}")
        return float(raw.removesuffix(" vCPU"))

    assert context(cpu="2 vCPU").parsed("cpu", vcpus) == 2.0
    with pytest.raises(ContextError, match=r"^context `cpu`: `cpu` must end in vCPU, got '2'$"):
        context(cpu="2").parsed("cpu", vcpus)


@pytest.mark.parametrize(
    ("key", "closest"),
    [
        ("shortner:cpu", "shortener:cpu"),
        ("shortener:cpus", "shortener:cpu"),
        ("users-redis:node_type", "users_redis:node_type"),
        ("stackprefix", "stack_prefix"),
        ("chaos:enable", "chaos:enabled"),
    ],
)
def test_an_unknown_key_is_refused_naming_the_closest_known_one(key: str, closest: str) -> None:
    with pytest.raises(ContextError) as error:
        check_keys(["region", key])
    assert str(error.value) == f"unknown context key `{key}`: did you mean `{closest}`?"


def test_a_key_like_no_other_is_refused_with_the_known_namespaces() -> None:
    with pytest.raises(ContextError) as error:
        check_keys(["colour"])
    assert str(error.value) == (
        "unknown context key `colour`: the keys are cdk.json's: stack_prefix, region, platform, "
        "shortener:..., chaos:..., users_redis:..., todo_postgres:..."
    )


def test_every_cdk_json_key_and_the_cdks_own_keys_are_accepted() -> None:
    check_keys([*cdk_json_context(), "@aws-cdk/core:newFlag", "aws:cdk:enable-path-metadata"])


def test_the_known_keys_are_read_from_cdk_json(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A key added to cdk.json is known without touching the code."""
    cdk_json = tmp_path / "cdk.json"
    cdk_json.write_text(json.dumps({"context": {"region": "", "shortener:platform": "apprunner"}}))
    monkeypatch.setattr(cdk_context, "CDK_JSON", cdk_json)
    check_keys(["shortener:platform"])
    with pytest.raises(ContextError, match=r"did you mean `region`\?$"):
        check_keys(["regions"])
