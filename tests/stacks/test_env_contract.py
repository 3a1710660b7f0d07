"""The contract between each stack and its app: on every platform the stack sets exactly the
variables the app's ``settings.STACK_ENV`` names (plain environment variables and runtime
secrets), besides ``PORT``, which both platforms set to the service's port."""

from __future__ import annotations

import importlib
from collections.abc import Callable

import pytest

from cdk.shared.platform import Platform
from cdk.stacks import STACKS
from tests.support.synth import Synthesized, every_stack
from tests.support.templates import service_variables


@pytest.mark.parametrize(("platform", "stack_name"), every_stack())
def test_stack_sets_exactly_the_variables_its_app_reads(
    synthesized_on: Callable[[Platform], Synthesized], platform: Platform, stack_name: str
) -> None:
    settings = importlib.import_module(f"{STACKS[stack_name].app_package}.settings")
    names = service_variables(synthesized_on(platform).template_json(stack_name))
    assert sorted(set(names) - {"PORT"}) == sorted(settings.STACK_ENV)
    assert len(names) == len(set(names))
