"""The Node.js versions the Makefile accepts: jsii's supported lines, 20 with a warning."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tools import REPO_ROOT, node_version


@pytest.mark.parametrize("version", ["v22.11.0", "v24.3.0"])
def test_supported_lines_pass_silently(version: str) -> None:
    assert node_version.check(version) == (True, "")


def test_node_20_runs_with_a_warning_naming_the_supported_lines() -> None:
    usable, message = node_version.check("v20.20.2")
    assert usable
    assert message == (
        "warning: Node.js 20 is past its end of life and jsii's support (since 2026-10-30); "
        "it still works, but use Node.js 22 or 24 (24 recommended)"
    )


@pytest.mark.parametrize("version", ["v23.1.0", "v26.0.0"])
def test_lines_jsii_does_not_test_are_a_warning(version: str) -> None:
    usable, message = node_version.check(version)
    assert usable
    assert message.startswith(f"warning: jsii does not test Node.js {version[1:3]};")


@pytest.mark.parametrize("version", ["v18.19.0", "v12.22.9"])
def test_older_lines_stop_the_install(version: str) -> None:
    usable, message = node_version.check(version)
    assert not usable
    assert message.startswith(f"Node.js {version} is too old: use Node.js 22 or 24 (24 recommended)")


def test_an_unreadable_version_is_refused() -> None:
    assert node_version.check("node: command not found") == (
        False,
        "cannot read the Node.js version 'node: command not found' (from `node --version`)",
    )


def test_the_script_exits_non_zero_for_an_old_node() -> None:
    done = subprocess.run(
        [sys.executable, "tools/node_version.py", "v18.19.0"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout) == (1, "")
    assert "too old" in done.stderr


def test_the_makefile_checks_node_before_npm_ci() -> None:
    recipe = subprocess.run(
        ["make", "--no-print-directory", "-n", "-W", "package.json", "node_modules/.installed"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    check = next(i for i, line in enumerate(recipe) if "tools/node_version.py" in line)
    install = next(i for i, line in enumerate(recipe) if line.startswith("npm ci"))
    assert check < install
