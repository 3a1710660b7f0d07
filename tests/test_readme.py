"""The README's promises that can drift from the code: context keys and defaults, make targets."""

from __future__ import annotations

import json
import re
import subprocess
import tomllib

from cdk.context import cdk_json_context
from tools import REPO_ROOT, prices

README = (REPO_ROOT / "README.md").read_text()


def test_context_table_lists_every_key_with_its_cdk_json_default() -> None:
    rows = re.findall(r"^\| `([a-z_:]+)` \| `([^`]*)` \|", README, re.MULTILINE)
    documented = {key: json.loads(default) for key, default in rows}
    settings = {key: value for key, value in cdk_json_context().items() if not key.startswith("@")}
    assert documented == settings


def test_first_hour_is_the_two_commands_ci_relies_on() -> None:
    first_hour = README.split("## First hour", 1)[1].split("\n## ", 1)[0]
    assert re.findall(r"^make \w+", first_hour, re.MULTILINE) == ["make synth", "make test"]
    assert "make test" in (REPO_ROOT / ".ci" / "run").read_text()


def test_every_documented_make_target_exists() -> None:
    documented = set(re.findall(r"^\| `make ([a-z-]+(?:<app>)?)`", README, re.MULTILINE))
    documented |= {
        t
        for pair in re.findall(r"^\| `make ([a-z-]+)` / `make ([a-z-]+)`", README, re.MULTILINE)
        for t in pair
    }
    listed = subprocess.run(
        ["make", "--no-print-directory", "-s", "help"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    targets = set(re.findall(r"^  (\S+)\s", listed, re.MULTILINE))
    assert documented <= targets


def test_platform_costs_are_the_ones_tools_prices_computes() -> None:
    section = README.split("## Choosing a platform", 1)[1].split("\n## ", 1)[0]
    (row,) = [line for line in section.splitlines() if line.startswith("| idle cost")]
    assert re.findall(r"\$(\d+\.\d\d)", row) == [
        f"{prices.app_runner_idle_usd_per_month():.2f}",
        f"{prices.express_idle_usd_per_month():.2f}",
        f"{prices.express_idle_usd_per_month(shared_load_balancer=True):.2f}",
    ]
    assert f"${prices.APP_RUNNER_VCPU_HOUR_USD} per vCPU-hour" in section


def test_license_file_is_the_license_pyproject_declares() -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    assert (project["license"], project["license-files"]) == ("Apache-2.0", ["LICENSE"])
    text = (REPO_ROOT / "LICENSE").read_text()
    assert text.split()[:4] == ["Apache", "License", "Version", "2.0,"]
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in text
