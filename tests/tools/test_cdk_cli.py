"""tools.cdk_cli: make's CONTEXT becomes the CDK CLI's ``-c key=value`` arguments.

The make targets that use it are tested end to end in test_deploy.py.
"""

from __future__ import annotations

import pytest

from cdk.context import ContextError
from tools.cdk_cli import CDK, cdk_command, context_overrides, parse_context


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("", {}),
        ("region=eu-west-1", {"region": "eu-west-1"}),
        (
            "shortener:cpu=2 vCPU shortener:memory=4 GB",
            {"shortener:cpu": "2 vCPU", "shortener:memory": "4 GB"},
        ),
        # Words are joined by one space, whatever separated them.
        ("  users_redis:cpu=0.25   vCPU\tregion=  ", {"users_redis:cpu": "0.25 vCPU", "region": ""}),
        ("stack_prefix=", {"stack_prefix": ""}),
        # Only the first "=" splits: the rest is the value's.
        ("stack_prefix=a=b c", {"stack_prefix": "a=b c"}),
    ],
)
def test_a_word_without_equals_continues_the_value_before_it(text: str, parsed: dict[str, str]) -> None:
    assert parse_context(text) == parsed


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2 vCPU", "CONTEXT must start with key=value, got '2'"),
        ("=2", "CONTEXT assignment '=2' has no key before '='"),
        ("region=a region=b", "CONTEXT sets `region` twice"),
    ],
)
def test_what_cannot_be_read_is_refused(text: str, message: str) -> None:
    with pytest.raises(ContextError) as error:
        parse_context(text)
    assert str(error.value) == message


def test_the_keys_are_checked_against_cdk_json() -> None:
    assert context_overrides({"CONTEXT": "shortener:cpu=2 vCPU"}) == {"shortener:cpu": "2 vCPU"}
    with pytest.raises(ContextError, match=r"^unknown context key `shortner:cpu`: did you mean"):
        context_overrides({"CONTEXT": "shortner:cpu=2 vCPU"})


def test_each_override_is_one_argument_after_the_cli_arguments() -> None:
    command = cdk_command(["synth", "--quiet"], {"shortener:cpu": "2 vCPU", "region": ""})
    assert command == [str(CDK), "synth", "--quiet", "-c", "shortener:cpu=2 vCPU", "-c", "region="]
