"""``common.environment``: the one way every app reads its environment."""

from __future__ import annotations

import pytest
from aws_cdk import App

from cdk.context import FALSE_WORDS as CONTEXT_FALSE_WORDS
from cdk.context import TRUE_WORDS as CONTEXT_TRUE_WORDS
from cdk.context import Context, ContextError
from common.environment import FALSE_WORDS, TRUE_WORDS, Environment, SettingsError, parse_bool

EVERY_WORD = sorted(TRUE_WORDS | FALSE_WORDS | CONTEXT_TRUE_WORDS | CONTEXT_FALSE_WORDS)


def flag_context(word: str) -> Context:
    """``cdk.context`` reading ``word`` as the CDK CLI passes it (``-c flag=<word>``)."""
    return Context(App(context={"flag": word}).node)


def test_apps_and_cdk_context_accept_the_same_boolean_words() -> None:
    assert (TRUE_WORDS, FALSE_WORDS) == (CONTEXT_TRUE_WORDS, CONTEXT_FALSE_WORDS)


@pytest.mark.parametrize("word", [*EVERY_WORD, *(word.upper() for word in EVERY_WORD), " yes "])
def test_apps_and_cdk_context_read_each_word_alike(word: str) -> None:
    assert (
        parse_bool("FLAG", word) is flag_context(word).boolean("flag") is (word.strip().lower() in TRUE_WORDS)
    )


@pytest.mark.parametrize("word", ["maybe", "", "y", "enabled"])
def test_apps_and_cdk_context_refuse_the_same_other_words(word: str) -> None:
    with pytest.raises(SettingsError, match=rf"^FLAG must be true or false \(.*\), got '{word}'$"):
        parse_bool("FLAG", word)
    with pytest.raises(ContextError, match="must be true or false"):
        flag_context(word).boolean("flag")


def test_a_variable_the_overrides_name_replaces_the_environments() -> None:
    env = Environment({"A": "from environ", "B": "kept"}, {"A": 3})

    assert (env.get("A"), env.get("B"), env.get("C")) == ("3", "kept", None)


def test_an_empty_or_blank_variable_is_unset() -> None:
    env = Environment({"EMPTY": "", "BLANK": "  ", "FLAG": ""})

    assert (env.get("EMPTY"), env.get("BLANK"), env.flag("FLAG", default=True)) == (None, None, True)


def test_missing_variables_are_named_in_the_order_given() -> None:
    env = Environment({"B": "set"})

    with pytest.raises(SettingsError, match=r"^app: missing required environment variable\(s\) C, A; hint$"):
        env.require("app", ["C", "B", "A"], hint="; hint")


def test_what_is_loaded_leaves_out_what_the_overrides_set() -> None:
    env = Environment({"A": "a", "B": "b"}, {"B": "override"})

    assert env.config({"A": env.get("A"), "B": env.get("B")}) == {"A": "a"}
