"""The packaging contract of a library other CDK projects ``pip install``."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import constructs_lib
from tests.support.gates import cfn_lint_findings
from tools import REPO_ROOT

PACKAGE = Path(constructs_lib.__file__).parent
# Only the CDK, its jsii runtime and the standard library; the handler adds boto3.
ALLOWED_ROOTS = {
    "aws_cdk",
    "constructs",
    "jsii",
    "boto3",
    "botocore",
    "mypy_boto3_apprunner",
    "constructs_lib",
}
REPO_ONLY = {"cdk", "apps", "tools", "tests", "common"}


def _is_type_checking_block(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def _imported_roots(path: Path, *, runtime_only: bool = False) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    if runtime_only:
        tree.body = [node for node in tree.body if not _is_type_checking_block(node)]
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_package_is_typed() -> None:
    assert (PACKAGE / "py.typed").is_file()


def test_library_imports_nothing_from_the_repo() -> None:
    sources = sorted(PACKAGE.rglob("*.py"))
    assert len(sources) > 5
    for path in sources:
        roots = _imported_roots(path)
        assert not roots & REPO_ONLY, f"{path} imports {roots & REPO_ONLY}"
        assert roots <= ALLOWED_ROOTS | set(sys.stdlib_module_names), f"{path}: {roots}"


def test_handler_needs_only_boto3_and_the_standard_library() -> None:
    # The Lambda runtime ships boto3; type stubs may only be imported for type checking.
    roots = _imported_roots(PACKAGE / "autoscaling" / "handler" / "index.py", runtime_only=True)
    assert roots - set(sys.stdlib_module_names) == {"boto3", "botocore"}


def test_public_api() -> None:
    for name in (
        "AppRunnerService",
        "VpcConnectedService",
        "AutoScalingConfig",
        "Source",
        "Secret",
        "Cpu",
        "Memory",
        "HealthCheck",
        "ConfigurationSource",
        "Runtime",
        "IpAddressType",
        "ExpressService",
        "ScalingMetric",
        "IService",
    ):
        assert name in constructs_lib.__all__
        assert getattr(constructs_lib, name).__doc__


CONSUMER_APP = """
from aws_cdk import App, Stack, aws_dynamodb as dynamodb, aws_ec2 as ec2, aws_secretsmanager as sm
from constructs_lib import ExpressService, Secret, Source

app = App()
stack = Stack(app, "Consumer")
vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)
key = dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING)
table = dynamodb.TableV2(stack, "Table", partition_key=key)
api = ExpressService(
    stack, "Api", source=Source.from_asset("app"), vpc=vpc,
    secrets={"API_KEY": Secret.from_secrets_manager(sm.Secret(stack, "ApiKey"))},
)
table.grant_read_data(api)
ec2.SecurityGroup(stack, "Cache", vpc=vpc).connections.allow_from(api, ec2.Port.tcp(6379))
app.synth()
"""


@pytest.mark.slow
def test_another_cdk_app_installs_the_package_and_builds_an_express_service(tmp_path: Path) -> None:
    site = tmp_path / "site"
    # What `pip install <this repository>` does, into a directory of its own (the repository's
    # dependencies are already in this interpreter; --no-deps keeps the test offline for them).
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(site),
            str(REPO_ROOT),
        ],
        check=True,
        timeout=300,
    )
    assert sorted(path.name for path in site.iterdir() if not path.name.endswith("-info")) == [
        "constructs_lib"
    ]
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "Dockerfile").write_text("FROM public.ecr.aws/docker/library/python:3.11-slim\n")
    (tmp_path / "consumer.py").write_text(CONSUMER_APP)
    env = {**os.environ, "PYTHONPATH": str(site), "CDK_OUTDIR": str(tmp_path / "cdk.out")}
    where = subprocess.run(
        [sys.executable, "-c", "import constructs_lib, sys; sys.stdout.write(constructs_lib.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.startswith(str(site)), where.stdout + where.stderr
    subprocess.run([sys.executable, "consumer.py"], cwd=tmp_path, env=env, check=True, timeout=300)
    template = json.loads((tmp_path / "cdk.out" / "Consumer.template.json").read_text())
    resources = template["Resources"]
    (service,) = [r for r in resources.values() if r["Type"] == "AWS::ECS::ExpressGatewayService"]
    assert [s["Name"] for s in service["Properties"]["PrimaryContainer"]["Secrets"]] == ["API_KEY"]
    (rule,) = [r for r in resources.values() if r["Type"] == "AWS::EC2::SecurityGroupIngress"]
    assert rule["Properties"]["FromPort"] == 6379
    assert cfn_lint_findings(template) == []
