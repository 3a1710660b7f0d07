"""What every stack's App Runner service has, stack by stack: its health check and its URL output
(each stack's own wiring is in test_<stack>_stack.py; ECS Express Mode's in test_express_stacks.py)."""

from __future__ import annotations

import pytest
from aws_cdk.assertions import Match, Template

from tests.support.synth import STACK_NAMES
from tests.support.templates import only_logical_id

#: Each app's health check: the articles' for todo_postgres, fast for chaos (it crashes on purpose).
HEALTH_CHECKS = {
    "ShortenerStack": {"Path": "/healthz", "Interval": 5, "Timeout": 2, "UnhealthyThreshold": 5},
    "UsersRedisStack": {"Path": "/healthz", "Interval": 5, "Timeout": 2, "UnhealthyThreshold": 5},
    "TodoPostgresStack": {"Path": "/", "Interval": 5, "Timeout": 5, "UnhealthyThreshold": 3},
    "ChaosStack": {"Path": "/healthz", "Interval": 1, "Timeout": 1, "UnhealthyThreshold": 2},
}
per_stack = pytest.mark.parametrize("stack_name", STACK_NAMES)


def test_every_stack_has_its_health_check_listed() -> None:
    assert sorted(HEALTH_CHECKS) == sorted(STACK_NAMES)


@per_stack
def test_service_checks_its_apps_health(templates: dict[str, Template], stack_name: str) -> None:
    templates[stack_name].has_resource_properties(
        "AWS::AppRunner::Service",
        {
            "HealthCheckConfiguration": {
                "Protocol": "HTTP",
                "HealthyThreshold": 1,
                **HEALTH_CHECKS[stack_name],
            }
        },
    )


@per_stack
def test_stack_outputs_the_service_url(templates: dict[str, Template], stack_name: str) -> None:
    template = templates[stack_name]
    service = only_logical_id(template, "AWS::AppRunner::Service")
    template.has_output(
        "*",
        {
            "Description": Match.any_value(),
            "Value": {"Fn::Join": ["", ["https://", {"Fn::GetAtt": [service, "ServiceUrl"]}]]},
        },
    )
