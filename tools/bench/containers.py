"""The container cold start ``make bench`` reports next to the bare process's: each
app's image (built by ``make images``) run with podman, from ``podman run`` to the first
200 on ``/healthz``, with the same backend and environment as the process."""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from tools import REPO_ROOT, dev
from tools.backends import process
from tools.bench import stats
from tools.images import assets, container, engine


@dataclass(frozen=True)
class ContainerColdStarts:
    samples_ms: list[float] = field(default_factory=list)
    #: Why there are no samples (no podman, no image built), or "".
    missing: str = ""


def app_image(package: str) -> str:
    """The stored image of ``package`` for the assembly in ``CDK_OUT`` (else ``cdk.out``);
    ``LookupError`` (saying what to run) when there is none."""
    assembly = REPO_ROOT / (os.environ.get("CDK_OUT") or "cdk.out")
    try:
        found = [asset for asset in assets.image_assets(assembly) if asset.app == package]
    except assets.AssetError as error:
        raise LookupError(f"{error}; then make images") from None
    built = [asset.image for asset in found if engine.image_exists(asset.image)]
    if not built:
        raise LookupError(f"no image of {package} for the assembly in {assembly}: make images")
    return built[0]


def measure(
    app: dev.DevApp, backend_env: Mapping[str, str], runs: int, cpus: Collection[int] | None = None
) -> ContainerColdStarts:
    """``runs`` container cold starts of ``app``'s image, pinned to ``cpus`` like the process."""
    if runs == 0:
        return ContainerColdStarts()
    try:
        image = app_image(app.package)
        samples = [
            container.cold_start_ms(
                image, container.container_env(app, backend_env, process.free_port()), cpus=cpus
            )
            for _ in range(runs)
        ]
    # A missing or failing image is reported in its row; the rest of the bench goes on.
    except (LookupError, RuntimeError, TimeoutError) as reason:
        return ContainerColdStarts(missing=str(reason).splitlines()[0])
    return ContainerColdStarts(samples)


#: The cold start table's columns for the container (``report_cells``).
REPORT_HEADERS = ("container median ms", "container runs ms")


def report_cells(is_app: bool, measured: ContainerColdStarts) -> tuple[str, str]:
    """The container columns of one row of the cold start table."""
    if not is_app:
        return ("-", "-")
    if not measured.samples_ms:
        return ("not measured", measured.missing or "--cold-starts 0")
    samples = measured.samples_ms
    return (f"{stats.median(samples):.0f}", " ".join(f"{sample:.0f}" for sample in samples))
