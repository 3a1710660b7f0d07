"""Each stack builds its own app's image from a context of the Dockerfile, ``common/`` and
that app only (the snapshots mask asset hashes, so only the staged assets can show this)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cdk.stacks import STACKS
from tests.support.synth import STACK_NAMES, Synthesized


def app_package(stack: str) -> str:
    return STACKS[stack].app_package


def docker_image(synthesized: Synthesized, stack: str) -> dict[str, Any]:
    manifest = json.loads((Path(synthesized.assembly.directory) / f"{stack}.assets.json").read_text())
    (image,) = manifest["dockerImages"].values()
    source: dict[str, Any] = image["source"]
    return source


@pytest.mark.parametrize("stack", STACK_NAMES)
def test_the_image_is_built_for_the_stacks_own_app(synthesized: Synthesized, stack: str) -> None:
    source = docker_image(synthesized, stack)
    assert (source["dockerFile"], source["dockerBuildArgs"]) == (
        "Dockerfile",
        {"APP": app_package(stack)},
    )


@pytest.mark.parametrize("stack", STACK_NAMES)
def test_the_build_context_holds_the_dockerfile_common_and_the_app_only(
    synthesized: Synthesized, stack: str
) -> None:
    context = Path(synthesized.assembly.directory) / docker_image(synthesized, stack)["directory"]
    app = app_package(stack)
    assert sorted(path.name for path in context.iterdir()) == sorted(["Dockerfile", "common", app])
    assert (context / "common" / "__init__.py").is_file()
    assert (context / app / "__init__.py").is_file()
    assert not [path for path in context.rglob("*") if path.name == "__pycache__" or path.suffix == ".pyc"]
