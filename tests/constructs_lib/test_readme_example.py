"""The README's "Using the constructs in your own CDK app" example synthesizes and
passes the gates, run as a user would: from its own directory, with its own Dockerfile."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.support.gates import cfn_lint_findings, secret_literals
from tools import REPO_ROOT
from tools.cdk_cli import CDK

SECTION = (
    (REPO_ROOT / "README.md")
    .read_text()
    .split("## Using the constructs in your own CDK app", 1)[1]
    .split("\n## ", 1)[0]
)


def readme_example() -> str:
    code: list[str] = re.findall(r"```python\n(.*?)```", SECTION, re.DOTALL)
    assert len(code) == 1, "the section should hold exactly one Python example"
    return code[0]


def readme_recipe() -> str:
    recipes: list[str] = re.findall(r"```bash\n(.*?)```", SECTION, re.DOTALL)
    assert len(recipes) == 1, "the section should hold exactly one shell recipe"
    return recipes[0]


def test_the_recipe_installs_the_cli_version_the_repository_pins() -> None:
    pinned = json.loads((REPO_ROOT / "package.json").read_text())["devDependencies"]["aws-cdk"]
    assert re.findall(r"npm install --no-save aws-cdk@(\S+)", readme_recipe()) == [pinned]
    distribution = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["name"]
    assert f"distribution {distribution}, import constructs_lib" in readme_recipe()


@pytest.mark.slow
def test_readme_example_synthesizes_a_clean_template(tmp_path: Path) -> None:
    """As the recipe runs it: its Dockerfile, the example as app.py, the CDK CLI's synth."""
    (tmp_path / "app").mkdir()
    (dockerfile,) = re.findall(r"^printf '(.*?)' > app/Dockerfile", readme_recipe(), re.MULTILINE)
    (tmp_path / "app" / "Dockerfile").write_text(dockerfile.replace("\\n", "\n"))
    (tmp_path / "app.py").write_text(readme_example())
    (command,) = re.findall(
        r"^npx (cdk synth --app \"python app.py\" --no-notices)$", readme_recipe(), re.MULTILINE
    )
    assert command == 'cdk synth --app "python app.py" --no-notices'
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    subprocess.run(
        [
            str(CDK),
            "synth",
            "--app",
            f"{sys.executable} app.py",
            "--no-notices",
            "--quiet",
            "--output",
            "cdk.out",
        ],
        cwd=tmp_path,
        env=env,
        check=True,
        timeout=300,
    )
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
