"""One synthesis of the whole CDK app per platform per test session, shared by every stack test."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from aws_cdk.assertions import Template

from cdk.shared.platform import Platform
from tests.support.synth import STACK_NAMES, Synthesized, synthesize


@pytest.fixture(scope="session")
def synthesized_on(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Platform], Synthesized]:
    """The app synthesized on a platform, the first time a test asks for that platform."""
    done: dict[Platform, Synthesized] = {}

    def on(platform: Platform) -> Synthesized:
        if platform not in done:
            done[platform] = synthesize(tmp_path_factory.mktemp(f"cdk.out-{platform.value}"), platform)
        return done[platform]

    return on


@pytest.fixture(scope="session")
def synthesized(synthesized_on: Callable[[Platform], Synthesized]) -> Synthesized:
    """The app as ``make synth`` builds it by default (App Runner)."""
    return synthesized_on(Platform.APP_RUNNER)


@pytest.fixture(scope="session")
def templates(synthesized: Synthesized) -> dict[str, Template]:
    """``Template`` per stack for ``has_resource_properties`` style assertions (App Runner)."""
    return {name: Template.from_json(synthesized.template_json(name)) for name in STACK_NAMES}


@pytest.fixture(scope="session")
def express_templates(synthesized_on: Callable[[Platform], Synthesized]) -> dict[str, Template]:
    """``Template`` per stack on ECS Express Mode."""
    synthesized = synthesized_on(Platform.ECS_EXPRESS)
    return {name: Template.from_json(synthesized.template_json(name)) for name in STACK_NAMES}


@pytest.fixture(scope="module")
def template(templates: dict[str, Template], request: pytest.FixtureRequest) -> Template:
    """The App Runner template of the stack the test module names in ``STACK``."""
    stack_name: str = request.module.STACK
    return templates[stack_name]
