"""The packaging contract of a library other CDK projects ``pip install``."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import constructs_lib

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
    ):
        assert name in constructs_lib.__all__
        assert getattr(constructs_lib, name).__doc__
