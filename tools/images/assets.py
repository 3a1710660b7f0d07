"""The image assets of a synthesized cloud assembly, and the build the CDK CLI runs for each.

The CLI (cdk-assets) reads every ``*.assets.json``: for each ``dockerImages`` entry it
runs ``docker build --tag cdkasset-<id> --build-arg ... --file ... --platform ... .``
in the staged ``source.directory``. ``build_args`` gives the same options to buildah.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

#: ``source`` keys this builder carries out exactly as the CLI does. Any other (build
#: secrets, ssh, outputs, remote caches, a network mode, a custom executable) would make
#: this build differ from the CLI's, so it is refused rather than ignored.
SUPPORTED_SOURCE_KEYS = frozenset(
    {"directory", "dockerFile", "dockerBuildArgs", "dockerBuildTarget", "platform", "cacheDisabled"}
)


class AssetError(ValueError):
    """The assembly has no image assets, or one this builder cannot build as the CLI would."""


@dataclass(frozen=True)
class ImageAsset:
    """One ``dockerImages`` entry of a cloud assembly."""

    #: The asset id: the hash of the build context and its options.
    asset_id: str
    #: The staged build context under the assembly (``asset.<hash>``).
    directory: Path
    dockerfile: str | None = None
    build_args: Mapping[str, str] = field(default_factory=dict)
    target: str | None = None
    platform: str | None = None
    no_cache: bool = False
    #: The stacks whose manifests list it (two stacks of one app share the asset).
    stacks: tuple[str, ...] = ()

    @property
    def tag(self) -> str:
        """The CLI's local tag; podman stores it as ``localhost/cdkasset-<id>:latest``."""
        return f"cdkasset-{self.asset_id.lower()}"

    @property
    def image(self) -> str:
        """The tag as podman names the stored image."""
        return f"localhost/{self.tag}:latest"

    @property
    def app(self) -> str | None:
        """The app package this repository's Dockerfile builds (its ``APP`` build arg)."""
        return self.build_args.get("APP")

    def build_args_for(self, extra: Sequence[str] = ()) -> list[str]:
        """``buildah build`` arguments in the CLI's order, ``extra`` before the context
        (run them in ``directory``, as the CLI does)."""
        args = ["build", "--tag", self.tag]
        for name, value in self.build_args.items():
            args += ["--build-arg", f"{name}={value}"]
        if self.target:
            args += ["--target", self.target]
        if self.dockerfile:
            args += ["--file", self.dockerfile]
        if self.platform:
            args += ["--platform", self.platform]
        if self.no_cache:
            args.append("--no-cache")
        return [*args, *extra, "."]


def _asset(assembly: Path, asset_id: str, entry: Mapping[str, Any], stack: str) -> ImageAsset:
    source: Mapping[str, Any] = entry.get("source", {})
    unsupported = sorted(set(source) - SUPPORTED_SOURCE_KEYS)
    if unsupported:
        raise AssetError(
            f"image asset {asset_id} ({stack}) uses {', '.join(unsupported)}: not supported here"
        )
    if "directory" not in source:
        raise AssetError(f"image asset {asset_id} ({stack}) has no source directory")
    directory = assembly / source["directory"]
    if not directory.is_dir():
        raise AssetError(f"image asset {asset_id}: {directory} is missing; synthesize again (make synth)")
    return ImageAsset(
        asset_id=asset_id,
        directory=directory,
        dockerfile=source.get("dockerFile"),
        build_args=dict(source.get("dockerBuildArgs", {})),
        target=source.get("dockerBuildTarget"),
        platform=source.get("platform"),
        no_cache=bool(source.get("cacheDisabled", False)),
        stacks=(stack,),
    )


def image_assets(assembly: Path) -> list[ImageAsset]:
    """Every distinct image asset of the assembly in ``assembly`` (``cdk.out``), by
    asset id; ``AssetError`` if there is none."""
    manifests = sorted(assembly.glob("*.assets.json"))
    if not manifests:
        raise AssetError(f"no *.assets.json in {assembly}: synthesize first (make synth)")
    found: dict[str, ImageAsset] = {}
    for manifest in manifests:
        stack = manifest.name.removesuffix(".assets.json")
        for asset_id, entry in json.loads(manifest.read_text()).get("dockerImages", {}).items():
            if asset_id in found:
                found[asset_id] = replace(found[asset_id], stacks=(*found[asset_id].stacks, stack))
            else:
                found[asset_id] = _asset(assembly, asset_id, entry, stack)
    if not found:
        raise AssetError(f"no image assets in {assembly}")
    return list(found.values())
