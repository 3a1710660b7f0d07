"""The repository's whole CDK app, synthesized once per platform for the stack tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Stack
from aws_cdk.assertions import Template
from aws_cdk.cx_api import CloudAssembly

from cdk.app import build_app, new_app
from cdk.shared.platform import Platform
from cdk.stacks import STACKS

STACK_NAMES = list(STACKS)
PLATFORMS = list(Platform)


@dataclass(frozen=True)
class Synthesized:
    app: App
    assembly: CloudAssembly

    def stack(self, name: str) -> Stack:
        return Stack.of(self.app.node.find_child(name))

    def template_json(self, name: str) -> dict[str, Any]:
        template: dict[str, Any] = self.assembly.get_stack_by_name(name).template
        return template


def synthesize(outdir: Path, platform: Platform) -> Synthesized:
    """Every stack on ``platform``. ``nag=False``: findings are reported per stack by the gate
    tests instead of aborting the synthesis (make synth enforces them)."""
    app = build_app(new_app(outdir, platform=platform.value), nag=False)
    return Synthesized(app, app.synth())


def stack_template(outdir: Path, stack_name: str, **context: object) -> Template:
    """``stack_name``'s template, built (not synthesized, no cdk-nag) with ``context`` over
    cdk.json's, as ``-c key=value`` would: for the tests of what a context value changes."""
    app = build_app(new_app(outdir, **context), nag=False)
    return Template.from_stack(Stack.of(app.node.find_child(stack_name)))


def every_stack() -> list[Any]:
    """``(platform, stack name)`` for every stack on every platform; App Runner's keep the ids
    (and snapshot names) they had before the second platform."""
    return [
        pytest.param(
            platform, name, id=name if platform is Platform.APP_RUNNER else f"{name}-{platform.value}"
        )
        for platform in PLATFORMS
        for name in STACK_NAMES
    ]
