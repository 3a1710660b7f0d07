"""Gates every stack in the registry passes on every platform: a new stack gets them all for free."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from cdk.shared.platform import Platform
from tests.support.gates import (
    acknowledgements,
    cfn_lint_findings,
    mask_asset_hashes,
    nag_findings,
    reason_problems,
    secret_literals,
)
from tests.support.synth import Synthesized, every_stack

per_stack = pytest.mark.parametrize(("platform", "stack_name"), every_stack())
On = Callable[[Platform], Synthesized]


@per_stack
def test_cdk_nag_has_no_unacknowledged_findings(
    synthesized_on: On, platform: Platform, stack_name: str
) -> None:
    assert nag_findings(synthesized_on(platform).stack(stack_name)) == []


@per_stack
def test_every_acknowledgement_has_a_reason(synthesized_on: On, platform: Platform, stack_name: str) -> None:
    assert reason_problems(acknowledgements(synthesized_on(platform).stack(stack_name))) == []


@per_stack
def test_cfn_lint_is_clean(synthesized_on: On, platform: Platform, stack_name: str) -> None:
    assert cfn_lint_findings(synthesized_on(platform).template_json(stack_name)) == []


@per_stack
def test_template_holds_no_literal_secret(synthesized_on: On, platform: Platform, stack_name: str) -> None:
    assert secret_literals(synthesized_on(platform).template_json(stack_name)) == []


@per_stack
def test_template_matches_snapshot(
    synthesized_on: On, platform: Platform, stack_name: str, snapshot: SnapshotAssertion
) -> None:
    template = mask_asset_hashes(synthesized_on(platform).template_json(stack_name))
    assert template == snapshot(extension_class=JSONSnapshotExtension)


def test_secret_scan_catches_literals_and_passes_dynamic_references() -> None:
    template = {
        "Resources": {
            "User": {
                "Properties": {
                    "AuthenticationMode": {"Passwords": ["hunter2"]},
                    "Env": [
                        {"Name": "DB_PASSWORD", "Value": "plain"},
                        {
                            "Name": "DB_PASSWORD",
                            "Value": "{{resolve:secretsmanager:arn:SecretString:password::}}",
                        },
                    ],
                    "GenerateSecretString": {
                        "SecretStringTemplate": '{"username": "admin", "password": "x"}'
                    },
                }
            },
            "Db": {"Properties": {"GenerateSecretString": {"SecretStringTemplate": '{"username": "admin"}'}}},
        }
    }
    assert secret_literals(template) == [
        "/Resources/User/Properties/AuthenticationMode/Passwords",
        "/Resources/User/Properties/Env/0: DB_PASSWORD",
        "/Resources/User/Properties/GenerateSecretString/SecretStringTemplate",
    ]
