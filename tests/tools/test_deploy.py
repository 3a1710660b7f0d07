"""The synth/diff/deploy workflow as a user without AWS credentials meets it, through make:
CONTEXT with values that hold spaces, misspelt keys, bad values, both app spellings."""

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


def make(target: str, env: dict[str, str], *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", *options, target],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


@pytest.mark.slow
def test_deploy_without_credentials_stops_with_a_clear_message(no_credentials_env: dict[str, str]) -> None:
    result = make("deploy-shortener", no_credentials_env)
    assert result.returncode != 0
    assert "No AWS credentials found, so make deploy-shortener cannot run." in result.stderr
    assert "aws configure" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.slow
def test_diff_works_offline_and_takes_context_values_with_spaces(
    no_credentials_env: dict[str, str], tmp_path: Path
) -> None:
    """The README's CONTEXT format: a word without "=" continues the value before it."""
    # CDK_OUT: the assembly goes to a temp dir, not over the cdk.out/ of the user's own synth.
    assembly = tmp_path / "cdk.out"
    context = "shortener:cpu=2 vCPU shortener:memory=4 GB"
    result = make("diff-shortener", {**no_credentials_env, "CDK_OUT": str(assembly), "CONTEXT": context})
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "comparing against an empty template" in output
    assert "[+] AWS::DynamoDB::Table Table " in output
    assert "[+] AWS::AppRunner::Service Service " in output
    template = json.loads((assembly / "ShortenerStack.template.json").read_text())
    [service] = [r for r in template["Resources"].values() if r["Type"] == "AWS::AppRunner::Service"]
    instance = service["Properties"]["InstanceConfiguration"]
    assert (instance["Cpu"], instance["Memory"]) == ("2 vCPU", "4 GB")


BAD_VALUE = (
    "shortener:max_size=0",
    "Configuration error in ShortenerStack: context `shortener:max_size` must be between 1 and 25, got 0",
)
MISSPELT_KEY = (
    "shortner:cpu=2 vCPU",
    "Configuration error: unknown context key `shortner:cpu`: did you mean `shortener:cpu`?",
)


@pytest.mark.parametrize(
    ("target", "case"),
    [
        # synth runs the app with CONTEXT too; the app itself prints the line.
        pytest.param("synth", BAD_VALUE, marks=pytest.mark.slow),
        ("synth", MISSPELT_KEY),
        ("diff-shortener", MISSPELT_KEY),
        # Before the missing credentials: fixing those first would only lead here.
        pytest.param("deploy-shortener", BAD_VALUE, marks=pytest.mark.slow),
        ("deploy-shortener", MISSPELT_KEY),
    ],
    ids=lambda value: value if isinstance(value, str) else value[0],
)
def test_a_configuration_error_is_one_line(
    target: str, case: tuple[str, str], no_credentials_env: dict[str, str], tmp_path: Path
) -> None:
    context, line = case
    env = {**no_credentials_env, "CDK_OUT": str(tmp_path / "cdk.out"), "CONTEXT": context}
    result = make(target, env)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert [found for found in output.splitlines() if found.startswith("Configuration error")] == [line]
    assert "Traceback" not in output
    assert "No AWS credentials found" not in output


@pytest.mark.parametrize("verb", ["deploy", "diff", "destroy"])
@pytest.mark.parametrize(
    ("app", "stack"),
    [
        ("users-redis", "UsersRedisStack"),
        ("users_redis", "UsersRedisStack"),
        ("todo-postgres", "TodoPostgresStack"),
        ("todo_postgres", "TodoPostgresStack"),
    ],
)
def test_every_verb_takes_both_spellings_of_an_app(
    verb: str, app: str, stack: str, no_credentials_env: dict[str, str]
) -> None:
    """make's users-redis and the package's users_redis, as ``make dev-<app>`` takes them."""
    result = make(f"{verb}-{app}", no_credentials_env, "-n", "-o", "install")
    assert result.returncode == 0, result.stderr
    assert f"'*{stack}'" in result.stdout


def test_an_unknown_app_names_the_known_ones(no_credentials_env: dict[str, str]) -> None:
    result = make("diff-shortner", no_credentials_env, "-n", "-o", "install")
    assert result.returncode != 0
    assert "unknown app 'shortner': use one of shortener users-redis todo-postgres chaos" in result.stderr


@pytest.mark.slow
def test_synth_on_ecs_express_writes_four_express_templates(
    no_credentials_env: dict[str, str], tmp_path: Path
) -> None:
    assembly = tmp_path / "cdk.out"
    env = {**no_credentials_env, "CDK_OUT": str(assembly), "CONTEXT": "platform=ecs_express"}
    result = make("synth", env)
    assert result.returncode == 0, result.stdout + result.stderr
    for stack in STACKS:
        resources = json.loads((assembly / f"{stack}.template.json").read_text())["Resources"].values()
        types = [resource["Type"] for resource in resources]
        assert types.count("AWS::ECS::ExpressGatewayService") == 1, stack
        assert not [t for t in types if t.startswith("AWS::AppRunner::")], stack
