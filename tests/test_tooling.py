"""The tools a contributor runs locally are the ones CI runs."""

from __future__ import annotations

import re

from tools import REPO_ROOT


def pinned(package: str) -> str:
    """``package``'s version in constraints.txt."""
    match = re.search(rf"^{re.escape(package)}==(\S+)$", (REPO_ROOT / "constraints.txt").read_text(), re.M)
    assert match, f"{package} is not pinned in constraints.txt"
    return match.group(1)


def test_pre_commit_runs_the_ruff_of_constraints_txt() -> None:
    config = (REPO_ROOT / ".pre-commit-config.yaml").read_text()
    match = re.search(r"repo: https://github\.com/astral-sh/ruff-pre-commit\n\s+rev: v(\S+)", config)
    assert match, "no ruff-pre-commit repo in .pre-commit-config.yaml"
    assert match.group(1) == pinned("ruff")
