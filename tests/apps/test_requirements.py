"""Every app image installs exactly the versions the test suite ran against."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tools import REPO_ROOT

APPS_DIR = REPO_ROOT / "apps"
_PIN = re.compile(r"^(?P<name>[A-Za-z0-9_.-]+)==(?P<version>\S+)$")


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    """``name -> version`` of a requirements/constraints file, following ``-r`` includes."""
    found: dict[str, str] = {}
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("-r "):
            found.update(pins(path.parent / line[3:].strip()))
            continue
        match = _PIN.match(line)
        assert match, f"{path.relative_to(REPO_ROOT)}: `{line}` is not pinned with =="
        found[_normalize(match["name"])] = match["version"]
    return found


REQUIREMENTS = sorted(APPS_DIR.glob("*/requirements.txt"))


@pytest.mark.parametrize("requirements", REQUIREMENTS, ids=lambda p: p.parent.name)
def test_image_pins_match_the_tested_constraints(requirements: Path) -> None:
    constraints = pins(REPO_ROOT / "constraints.txt")
    mismatched = {
        name: (version, constraints.get(name))
        for name, version in pins(requirements).items()
        if constraints.get(name) != version
    }
    assert mismatched == {}


def test_every_app_has_requirements() -> None:
    apps = sorted(p.name for p in APPS_DIR.iterdir() if (p / "settings.py").exists())
    assert [p.parent.name for p in REQUIREMENTS if p.parent.name != "common"] == apps
