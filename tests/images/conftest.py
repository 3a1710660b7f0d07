"""``make test-images``: the images ``make images`` built, run with podman against real
local backends. ``make test`` leaves this directory out: it needs buildah and podman,
and images built for the current assembly (``IMAGE_TESTS=1`` turns it on)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.support.images import Backends, built_images
from tools.images import assets, engine

if not os.environ.get("IMAGE_TESTS"):
    collect_ignore_glob = ["test_*.py"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test taking ``image`` runs once per image asset, named after its app."""
    if "image" in metafunc.fixturenames:
        found = built_images()
        apps = [asset.app or asset.asset_id for asset in found]
        ids = [
            app if apps.count(app) == 1 else f"{app}-{asset.asset_id[:8]}"
            for app, asset in zip(apps, found, strict=True)
        ]
        metafunc.parametrize("image", found, ids=ids, scope="module")


@pytest.fixture(scope="module")
def built(image: assets.ImageAsset) -> assets.ImageAsset:
    if not engine.image_exists(image.image):
        pytest.fail(f"{image.image} is not built: run make images (make test-images does)")
    return image


@pytest.fixture(scope="session")
def backends() -> Iterator[Backends]:
    # Not tmp_path: as root, PostgreSQL runs as the postgres user, who cannot enter
    # pytest's private temp dirs.
    data_dir = Path(tempfile.mkdtemp(prefix="image-tests-"))
    data_dir.chmod(0o755)
    try:
        with ExitStack() as stack:
            yield Backends(stack, data_dir)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
