"""What ``make bench`` prints and writes: the environment, the per-app summary, the
markdown report and the JSON results."""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from tools import prices
from tools.bench import containers, stats
from tools.bench.cpus import CpuSplit
from tools.bench.runner import TargetRun
from tools.bench.servers import SERVER_ENV
from tools.bench.targets import BASELINE


def _installed_version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def environment(split: CpuSplit | None) -> dict[str, Any]:
    # The server stack, each app's client library, and what synthesizes the stacks.
    packages = ("flask", "werkzeug", "gunicorn", "boto3", "redis", "hiredis", "sqlalchemy", "psycopg2-binary")
    versions = {name: _installed_version(name) for name in (*packages, "aws-cdk-lib")}
    return {
        "cpu_count": os.cpu_count(),
        "cpus": split.describe() if split else "one CPU shared by the server, load generator and backend",
        "load_average_at_start": os.getloadavg(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        **versions,
        "server_env": {name: os.environ.get(name, "(image default)") for name in SERVER_ENV},
    }


def app_summary(run: TargetRun, baseline: TargetRun, p99_target_ms: float) -> dict[str, Any]:
    level = stats.recommend_max_concurrency(run.load, p99_target_ms)
    rps = stats.sizing_rps(run.load, level)
    paths = dict.fromkeys(r.path for r in run.load)
    return {
        "recommended_max_concurrency": level,
        "priced_rps": rps,
        "usd_per_million_requests": stats.cost_per_million(rps),
        "usd_per_million_requests_ecs_express": stats.express_cost_per_million(rps),
        "peak_ratio_to_baseline": {
            path: stats.peak_ratio([r for r in run.load if r.path == path], baseline.load) for path in paths
        },
        "cold_start_median_ms": stats.median(run.cold_starts_ms) if run.cold_starts_ms else None,
    }


def _runs(samples: Sequence[float], decimals: int = 0) -> str:
    return " ".join(f"{sample:.{decimals}f}" for sample in samples)


def report(
    by_target: Mapping[str, TargetRun],
    summaries: Mapping[str, Mapping[str, Any]],
    synth: Mapping[str, list[float]],
    p99_target_ms: float,
) -> str:
    baseline_by_level = {r.concurrency: r for r in by_target[BASELINE].load}
    per_app = [
        [
            name,
            path,
            ratio,
            summary["recommended_max_concurrency"],
            summary["priced_rps"],
            summary["usd_per_million_requests"],
            summary["usd_per_million_requests_ecs_express"],
        ]
        for name, summary in summaries.items()
        for path, ratio in summary["peak_ratio_to_baseline"].items()
    ]
    cold = [
        [
            name,
            stats.median(run.cold_starts_ms),
            _runs(run.cold_starts_ms),
            "-"
            if name == BASELINE
            else stats.verdict(stats.median(run.cold_starts_ms) < stats.MAX_COLD_START_MS),
            *containers.report_cells(name != BASELINE, run.container_cold_starts),
        ]
        for name, run in by_target.items()
        if run.cold_starts_ms
    ]
    sections = [
        "## Load (requests/s of expected answers; latency in ms)",
        stats.load_table([r for run in by_target.values() for r in run.load], baseline_by_level),
        f"## Per app (max_concurrency: highest level with p99 < {p99_target_ms:g} ms and no errors; "
        f"cost: one 1 vCPU / 2 GB App Runner instance at ${stats.instance_usd_per_hour():.3f}/hour, or "
        f"Fargate task at ${prices.express_task_usd_per_hour():.4f}/hour plus load balancer capacity units "
        "(a new connection per request), serving the slowest hot path's req/s at that level)",
        stats.markdown_table(
            [
                "app",
                "hot path",
                "peak req/s vs baseline",
                "max_concurrency",
                "priced req/s",
                "$ per million (App Runner)",
                "$ per million (ECS Express)",
            ],
            per_app,
        ),
        "## Cold start (process start to first 200 on the health path; the container's from `podman run`)",
        stats.markdown_table(
            ["app", "median ms", "runs ms", f"< {stats.MAX_COLD_START_MS:g} ms", *containers.REPORT_HEADERS],
            cold,
        ),
    ]
    if synth:
        empty, stacks = stats.median(synth["empty"]), stats.median(synth["stacks"])
        ratio = stacks / empty
        rows = [
            ["empty App + Stack", empty, _runs(synth["empty"], 1), 1.0],
            ["the four stacks (cdk-nag on)", stacks, _runs(synth["stacks"], 1), ratio],
        ]
        sections += [
            "## Synth (wall seconds of a process that builds and synthesizes; stacks with cdk.json context)",
            stats.markdown_table(["app", "median s", "runs s", "vs empty"], rows),
        ]
    return "\n\n".join(sections)


def environment_section(env: Mapping[str, Any]) -> str:
    return "## Environment\n\n" + "\n".join(f"- {name}: {value}" for name, value in env.items())


def write_results(name: str, document: Mapping[str, Any], results_dir: Path) -> Path:
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{name}.json"
    path.write_text(json.dumps(document, indent=2, default=str) + "\n")
    return path
