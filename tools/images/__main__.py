"""``make images`` and ``make images-clean``.

    python -m tools.images build [--cdk-out DIR] [--base stand-in|registry]
    python -m tools.images clean

``build`` makes the base image available (``tools.images.base``), then builds every
image asset of the synthesized assembly as the CDK CLI would (``tools.images.assets``),
tagged ``cdkasset-<asset id>``, and prints each image's size and the part of it no
other image shares. ``clean`` removes what this project made: the containers named
``apprunner-cdk-constructs-*``, the ``localhost/cdkasset-*`` images and the stand-in base.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from tools import REPO_ROOT
from tools.backends.process import MissingPrerequisite
from tools.images import assets, base, ca_bundle, engine
from tools.images.container import NAME_PREFIX

MB = 1000 * 1000


def build(asset: assets.ImageAsset, build_args: dict[str, str]) -> float:
    """Build ``asset`` in its staged directory; seconds taken. Beyond the CLI's options:
    layer caching (docker's default, not buildah's), the host's network (no bridge or
    firewall rule is made on the host), the host's TLS settings for RUN steps, and
    ``build_args`` (the stand-in CA bundle's URL)."""
    extra = ["--layers", "--network", "host", *engine.build_mounts()]
    for name, value in build_args.items():
        extra += ["--build-arg", f"{name}={value}"]
    began = time.monotonic()
    engine.run(["buildah", *asset.build_args_for(extra)], cwd=asset.directory, capture=False)
    return time.monotonic() - began


def _layers(image: str) -> list[str]:
    out = engine.run(["podman", "image", "inspect", "--format", "{{json .RootFS.Layers}}", image])
    layers: list[str] = json.loads(out) or []
    return layers


def _layer_sizes(image: str) -> list[int]:
    """Bytes of each layer of ``image``, in the order of ``_layers``."""
    out = engine.run(["podman", "history", "--human=false", "--format", "json", image])
    entries = list(reversed(json.loads(out)))  # podman lists the newest first
    # Steps that add no layer (ENV, USER, CMD...) have size 0; a layer, even an empty
    # one, is a tar archive of at least a kilobyte. ``size_report`` checks the count.
    return [int(entry["size"]) for entry in entries if int(entry.get("size", 0)) > 0]


def size_report(images: dict[str, str]) -> list[tuple[str, str, float, float | None]]:
    """(label, image, total MB, MB in layers no other listed image has) per image; the
    last is None if podman's history and layer list of the image disagree."""
    layers = {label: _layers(image) for label, image in images.items()}
    rows: list[tuple[str, str, float, float | None]] = []
    for label, image in images.items():
        total = float(engine.run(["podman", "image", "inspect", "--format", "{{.Size}}", image]))
        sizes = _layer_sizes(image)
        own = None
        if len(sizes) == len(layers[label]):
            others = {layer for other, found in layers.items() if other != label for layer in found}
            own = (
                sum(size for layer, size in zip(layers[label], sizes, strict=True) if layer not in others)
                / MB
            )
        rows.append((label, image, total / MB, own))
    return rows


def build_all(cdk_out: Path, base_kind: str) -> int:
    found = assets.image_assets(cdk_out)
    print(base.ensure(base_kind), flush=True)
    seconds = {}
    with contextlib.ExitStack() as stack:
        build_args = {}
        if base_kind == "stand-in":
            build_args[ca_bundle.BUILD_ARG] = stack.enter_context(ca_bundle.served())
            print(f"the RDS CA bundle: a stand-in, {ca_bundle.STAND_IN}", flush=True)
        for asset in found:
            print(f"\n== {asset.app or asset.asset_id} ({', '.join(asset.stacks)}): {asset.tag}", flush=True)
            seconds[asset.asset_id] = build(asset, build_args)
    rows = size_report({asset.app or asset.asset_id: asset.image for asset in found})
    # "own": the layers no other of these images shares.
    print("\n| image | tag | size MB | own MB | build s |\n|---|---|---|---|---|")
    for (label, image, total, own), asset in zip(rows, found, strict=True):
        own_mb = "?" if own is None else f"{own:.1f}"
        print(f"| {label} | {image} | {total:.1f} | {own_mb} | {seconds[asset.asset_id]:.1f} |")
    return 0


def clean() -> int:
    names = engine.run(
        ["podman", "ps", "--all", "--filter", f"name=^{NAME_PREFIX}", "--format", "{{.Names}}"]
    )
    for name in names.split():
        engine.run(["podman", "rm", "--force", "--time", "0", name])
        print(f"removed container {name}")
    images = engine.run(
        [
            "podman",
            "images",
            "--filter",
            "reference=localhost/cdkasset-*",
            "--format",
            "{{.Repository}}:{{.Tag}}",
        ]
    )
    for image in images.split():
        engine.run(["podman", "rmi", image])
        print(f"removed image {image}")
    # The stand-in under its name, and earlier ones a newer stand-in took the name from.
    for image in base.stand_ins():
        engine.run(["podman", "rmi", image])
        print(f"removed the stand-in base {image}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.images", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["build", "clean"])
    parser.add_argument("--cdk-out", type=Path, default=REPO_ROOT / os.environ.get("CDK_OUT", "cdk.out"))
    parser.add_argument("--base", choices=sorted(base.BASES), default="stand-in")
    args = parser.parse_args(argv)
    try:
        return build_all(args.cdk_out, args.base) if args.command == "build" else clean()
    except (
        assets.AssetError,
        base.BaseImageError,
        engine.EngineError,
        MissingPrerequisite,
    ) as error:
        print(f"images: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
