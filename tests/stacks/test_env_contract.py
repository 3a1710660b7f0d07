"""The contract between each stack and its app: the stack sets exactly the variables the
app's ``settings.STACK_ENV`` names (plain environment variables and runtime secrets)."""

from __future__ import annotations

import importlib

import pytest
from aws_cdk.assertions import Template

from cdk.stacks import STACKS
from tests.stacks.conftest import STACK_NAMES


def service_variable_names(template: Template) -> list[str]:
    (service,) = template.find_resources("AWS::AppRunner::Service").values()
    image = service["Properties"]["SourceConfiguration"]["ImageRepository"]["ImageConfiguration"]
    pairs = image.get("RuntimeEnvironmentVariables", []) + image.get("RuntimeEnvironmentSecrets", [])
    return sorted(pair["Name"] for pair in pairs)


@pytest.mark.parametrize("stack_name", STACK_NAMES)
def test_stack_sets_exactly_the_variables_its_app_reads(
    templates: dict[str, Template], stack_name: str
) -> None:
    settings = importlib.import_module(f"{STACKS[stack_name].app_package}.settings")  # type: ignore[attr-defined]
    assert service_variable_names(templates[stack_name]) == sorted(settings.STACK_ENV)
