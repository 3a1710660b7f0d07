"""Gates every stack in the registry passes: a new stack gets them all for free."""

from __future__ import annotations

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from tests.stacks.conftest import STACK_NAMES, Synthesized
from tests.support.gates import (
    acknowledgements,
    cfn_lint_findings,
    mask_asset_hashes,
    nag_findings,
    reason_problems,
    secret_literals,
)

pytestmark = pytest.mark.parametrize("stack_name", STACK_NAMES)


def test_cdk_nag_has_no_unacknowledged_findings(synthesized: Synthesized, stack_name: str) -> None:
    assert nag_findings(synthesized.stack(stack_name)) == []


def test_every_acknowledgement_has_a_reason(synthesized: Synthesized, stack_name: str) -> None:
    assert reason_problems(acknowledgements(synthesized.stack(stack_name))) == []


def test_cfn_lint_is_clean(synthesized: Synthesized, stack_name: str) -> None:
    assert cfn_lint_findings(synthesized.template_json(stack_name)) == []


def test_template_holds_no_literal_secret(synthesized: Synthesized, stack_name: str) -> None:
    assert secret_literals(synthesized.template_json(stack_name)) == []


def test_template_matches_snapshot(
    synthesized: Synthesized, stack_name: str, snapshot: SnapshotAssertion
) -> None:
    template = mask_asset_hashes(synthesized.template_json(stack_name))
    assert template == snapshot(extension_class=JSONSnapshotExtension)
