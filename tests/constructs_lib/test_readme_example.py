"""The README's "Using the constructs in your own CDK app" example synthesizes and
passes the gates, run as a user would: from its own directory, with its own Dockerfile."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.support.gates import cfn_lint_findings, secret_literals
from tools import REPO_ROOT


def readme_example() -> str:
    section = (REPO_ROOT / "README.md").read_text().split("## Using the constructs in your own CDK app", 1)[1]
    code: list[str] = re.findall(r"```python\n(.*?)```", section.split("\n## ", 1)[0], re.DOTALL)
    assert len(code) == 1, "the section should hold exactly one Python example"
    return code[0]


def test_readme_example_synthesizes_a_clean_template(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "Dockerfile").write_text("FROM public.ecr.aws/docker/library/python:3.11-slim\n")
    (tmp_path / "example.py").write_text(readme_example())
    env = {**os.environ, "CDK_OUTDIR": str(tmp_path / "cdk.out"), "PYTHONPATH": str(REPO_ROOT)}
    subprocess.run([sys.executable, "example.py"], cwd=tmp_path, env=env, check=True, timeout=300)
    template = json.loads((tmp_path / "cdk.out" / "MyService.template.json").read_text())
    types = {resource["Type"] for resource in template["Resources"].values()}
    assert {
        "AWS::ECS::ExpressGatewayService",
        "AWS::AppRunner::Service",
        "AWS::AppRunner::VpcConnector",
        "AWS::AppRunner::ObservabilityConfiguration",
    } <= types
    assert cfn_lint_findings(template) == []
    assert secret_literals(template) == []
