"""One synthesis of the whole CDK app per test session, shared by every stack test."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from aws_cdk import App, Stack
from aws_cdk.assertions import Template
from aws_cdk.cx_api import CloudAssembly

from cdk.app import build_app
from cdk.stacks import STACKS
from tests.support.cdk_app import new_app

STACK_NAMES = list(STACKS)


@dataclass(frozen=True)
class Synthesized:
    app: App
    assembly: CloudAssembly

    def stack(self, name: str) -> Stack:
        return Stack.of(self.app.node.find_child(name))

    def template_json(self, name: str) -> dict[str, Any]:
        template: dict[str, Any] = self.assembly.get_stack_by_name(name).template
        return template


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synthesized]:
    # nag=False: findings are reported per stack by the gate tests instead of
    # aborting this shared synthesis (make synth enforces them).
    app = build_app(new_app(tmp_path_factory.mktemp("cdk.out")), nag=False)
    yield Synthesized(app, app.synth())


@pytest.fixture(scope="session")
def templates(synthesized: Synthesized) -> dict[str, Template]:
    """``Template`` per stack for ``has_resource_properties`` style assertions."""
    return {name: Template.from_json(synthesized.template_json(name)) for name in STACK_NAMES}
