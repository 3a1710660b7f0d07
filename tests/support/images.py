"""Helpers of the image tests (``make test-images``): the built images and their backends."""

from __future__ import annotations

import os
from contextlib import ExitStack
from pathlib import Path

from tools import REPO_ROOT, dev
from tools.images import assets


def built_images() -> list[assets.ImageAsset]:
    """The image assets of the synthesized assembly (``CDK_OUT``, else ``cdk.out``)."""
    return assets.image_assets(REPO_ROOT / os.environ.get("CDK_OUT", "cdk.out"))


class Backends:
    """Each app's local backend, started on first use and kept for the session."""

    def __init__(self, stack: ExitStack, data_dir: Path) -> None:
        self._stack = stack
        self._data_dir = data_dir
        self._env: dict[str, dict[str, str]] = {}

    def env(self, app: dev.DevApp) -> dict[str, str]:
        """The variables that reach ``app``'s running backend (on a free port)."""
        if app.package not in self._env:
            self._env[app.package] = app.backend(self._stack, self._data_dir / app.package, None)
        return self._env[app.package]
