"""The deploy workflow as a user without AWS credentials meets it."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tools import REPO_ROOT

STACKS = ["ShortenerStack", "UsersRedisStack", "TodoPostgresStack", "ChaosStack"]


@pytest.fixture
def no_credentials_env(tmp_path: Path) -> dict[str, str]:
    """The user's environment with every AWS credential source taken away."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CDK_DEFAULT_"))}
    env.update(
        HOME=str(tmp_path),
        AWS_CONFIG_FILE=str(tmp_path / "missing-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "missing-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


def make(target: str, env: dict[str, str], *variables: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", target, *variables],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def test_deploy_without_credentials_stops_with_a_clear_message(no_credentials_env: dict[str, str]) -> None:
    result = make("deploy-shortener", no_credentials_env)
    assert result.returncode != 0
    assert "No AWS credentials found, so make deploy-shortener cannot run." in result.stderr
    assert "aws configure" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_diff_works_offline_and_lists_what_would_be_created(
    no_credentials_env: dict[str, str], tmp_path: Path
) -> None:
    # CDK_OUT: the assembly goes to a temp dir, not over the cdk.out/ of the user's own synth.
    assembly = tmp_path / "cdk.out"
    result = make("diff-shortener", {**no_credentials_env, "CDK_OUT": str(assembly)})
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "comparing against an empty template" in output
    assert "[+] AWS::DynamoDB::Table Table " in output
    assert "[+] AWS::AppRunner::Service Service " in output
    assert (assembly / "manifest.json").is_file()


@pytest.mark.slow
def test_synth_on_ecs_express_writes_four_express_templates(
    no_credentials_env: dict[str, str], tmp_path: Path
) -> None:
    assembly = tmp_path / "cdk.out"
    result = make("synth", {**no_credentials_env, "CDK_OUT": str(assembly)}, "CONTEXT=platform=ecs_express")
    assert result.returncode == 0, result.stdout + result.stderr
    for stack in STACKS:
        resources = json.loads((assembly / f"{stack}.template.json").read_text())["Resources"].values()
        types = [resource["Type"] for resource in resources]
        assert types.count("AWS::ECS::ExpressGatewayService") == 1, stack
        assert not [t for t in types if t.startswith("AWS::AppRunner::")], stack
