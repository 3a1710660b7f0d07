"""Quality gates every synthesized stack must pass: cdk-nag, cfn-lint, no literal secrets.

Used by the stack harness (tests/stacks) and by the construct library's tests, so a
stack added to the harness, or a feature added to the library, gets every gate.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from aws_cdk import Validations
from cdk_nag import AwsSolutionsChecks
from cfnlint.api import ManualArgs, lint
from constructs import IConstruct

#: Regions the templates are linted for (resource availability differs per region).
LINT_REGIONS = ["us-east-1"]


def nag_findings(scope: IConstruct) -> list[str]:
    """Unacknowledged AwsSolutions findings under ``scope`` as ``"RuleId @ path"``."""
    report = AwsSolutionsChecks().validate_scope(scope)
    return sorted(
        f"{violation.rule_name} @ {resource.construct_path}: {violation.description}"
        for violation in report.violations
        for resource in violation.violating_resources
    )


def cfn_lint_findings(template: dict[str, Any]) -> list[str]:
    """cfn-lint errors and warnings with its default rules, as a user's own run reports them
    (informational matches are not findings)."""
    matches = lint(json.dumps(template), config=ManualArgs(regions=LINT_REGIONS))
    return [
        f"{match.rule.id} {'/'.join(str(p) for p in match.path)}: {match.message}"
        for match in matches
        if match.rule.id[0] in "EW"
    ]


@dataclass(frozen=True)
class Acknowledged:
    path: str
    rule_id: str
    reason: str


def acknowledgements(scope: IConstruct) -> list[Acknowledged]:
    """Every ``Validations.of(...).acknowledge(...)`` recorded under ``scope``."""
    key = Validations.ACKNOWLEDGED_RULES_METADATA_KEY
    return [
        Acknowledged(construct.node.path, rule_id, reason or "")
        for construct in scope.node.find_all()
        for entry in construct.node.metadata
        if entry.type == key
        for rule_id, reason in dict(entry.data).items()
    ]


_SENTENCE = re.compile(r"^[A-Z`].{20,}[.!]$", re.DOTALL)


def reason_problems(acks: list[Acknowledged]) -> list[str]:
    """cdk-nag acknowledgements whose reason is not at least one full sentence.

    aws-cdk-lib records acknowledgements of its own (``CloudFormation-Validate::...``
    on constructs such as VPC flow logs); those are not ours to justify.
    """
    problems = []
    for ack in acks:
        if "AwsSolutions-" not in ack.rule_id:
            continue
        if not _SENTENCE.match(ack.reason.strip()) or len(ack.reason.split()) < 6:
            problems.append(f"{ack.path}: {ack.rule_id} needs a full-sentence reason, got {ack.reason!r}")
    return problems


# Property names (any casing) whose value must never be a literal in a template.
_SENSITIVE_NAME = re.compile(
    r"password|passwd|secret(?!s?arn|name|id)|token|apikey|api_key|privatekey|accesskey"
)
_DYNAMIC_REFERENCE = re.compile(r"^\{\{resolve:(secretsmanager|ssm-secure):")


def _walk(node: Any, path: str) -> Iterator[tuple[str, Any]]:
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}/{index}")


def _literal_strings(value: Any) -> list[str]:
    """Literal strings in a property value; intrinsic functions are not literals."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in _literal_strings(item)]
    return []


def _leaks(name: str, value: Any) -> bool:
    if not _SENSITIVE_NAME.search(name.lower().replace("-", "")):
        return False
    return any(s and not _DYNAMIC_REFERENCE.match(s) for s in _literal_strings(value))


def _template_leaks(key: str, value: Any) -> bool:
    """A Secrets Manager ``SecretStringTemplate`` is JSON: only its password-like keys
    would be a leak (username and dbname are not)."""
    if key != "SecretStringTemplate" or not isinstance(value, str):
        return _leaks(key, value)
    try:
        fields = json.loads(value)
    except ValueError:
        return True
    return isinstance(fields, dict) and any(_leaks(name, inner) for name, inner in fields.items())


def secret_literals(template: dict[str, Any]) -> list[str]:
    """Places where ``template`` holds a literal password, token or key value.

    Checks property keys (``MasterUserPassword``, ``Passwords``, ``AuthToken``...),
    name/value pairs such as environment variables, and parameter defaults. Only
    dynamic references (``{{resolve:secretsmanager:...}}``) and intrinsics pass.
    """
    leaks = []
    for path, node in _walk(template, ""):
        if not isinstance(node, dict):
            continue
        if isinstance(node.get("Name"), str) and "Value" in node and _leaks(node["Name"], node["Value"]):
            leaks.append(f"{path}: {node['Name']}")
        for key, value in node.items():
            if key not in {"Name", "Value"} and _template_leaks(key, value):
                leaks.append(f"{path}/{key}")
    for name, parameter in template.get("Parameters", {}).items():
        if _leaks(name, parameter.get("Default")):
            leaks.append(f"/Parameters/{name}/Default")
    return leaks


_ASSET_HASH = re.compile(r"[0-9a-f]{64}")


def mask_asset_hashes(template: Any) -> Any:
    """The template with every asset hash (S3 keys, image tags, asset parameters and
    metadata) replaced, so app code edits do not churn infrastructure snapshots."""
    return json.loads(_ASSET_HASH.sub("<asset-hash>", json.dumps(template)))
