"""``make bench``: every app's hot paths against hello world and the article's Go app.

Also issue 26's targets (``verdicts``), $ per million requests, cold starts, synth time.

    python -m tools.bench                    the whole benchmark (a few minutes)
    python -m tools.bench --server-configs   one hot path under several gunicorn configurations

Each app runs as ``make dev-<app>`` runs it (``tools.dev``: its real local backend, the
stack's environment) but under the image's gunicorn config unchanged (``Server._env``
drops ``tools.dev``'s one-worker default), the baseline is Flask's hello world
under the same gunicorn config, and the load comes from another process
(``tools.bench.load``). Prints markdown, writes JSON to ``bench/results/``. Misses of
the issue's targets are reported, never fatal: this is a benchmark, not a test.

This module is the command line; what is measured is in ``targets``, how a server starts
in ``servers``, the measuring in ``runner``, and what is printed in ``report``.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path
from types import FrameType
from typing import Any

from tools import REPO_ROOT
from tools.backends import process
from tools.bench import cpus, go_peer, runner, stats, targets, verdicts
from tools.bench.cpus import CpuSplit
from tools.bench.report import app_summary, environment, environment_section, report, write_results
from tools.bench.runner import Settings, Subject
from tools.bench.servers import CANDIDATE_CONFIGS, PRODUCTION
from tools.bench.targets import BASELINE, REPRESENTATIVE, TARGETS, Target

RESULTS_DIR = REPO_ROOT / "bench" / "results"


def _pin_load_side(split: CpuSplit | None) -> None:
    """From here on, what this process starts (load generator, backends) stays off the
    server's CPUs; servers are pinned to theirs when started."""
    if split:
        cpus.pin_self(split.rest)


def run_all(args: argparse.Namespace, settings: Settings) -> dict[str, Any]:
    chosen = [t for t in TARGETS if t.name == BASELINE or not args.apps or t.name in args.apps]
    env = environment(settings.cpu_split)
    # Synth first: it fails fast, before minutes of load are measured.
    synth = {} if args.synth_runs == 0 else runner.time_synth(args.synth_runs)
    with tempfile.TemporaryDirectory(prefix="bench-go-") as go_work:
        go_missing = ""
        if any(t.name == targets.GO_PEER_OF for t in chosen):
            built = go_peer.build(Path(go_work))
            go_missing = built.missing
            if built.binary:
                chosen.append(targets.go_peer(built.binary))
        _pin_load_side(settings.cpu_split)
        by_target = runner.bench([Subject(target.name, target, PRODUCTION) for target in chosen], settings)
    summaries = {
        name: app_summary(run, by_target[BASELINE], args.p99_target_ms)
        for name, run in by_target.items()
        if name not in (BASELINE, targets.GO_PEER)
    }
    printed = [
        environment_section(env),
        report(by_target, summaries, synth, args.p99_target_ms),
        verdicts.section(by_target, go_missing),
    ]
    print("\n\n".join(printed))
    return {
        "environment": env,
        "settings": asdict(settings) | {"p99_target_ms": args.p99_target_ms},
        "load": [r.as_dict() for run in by_target.values() for r in run.load],
        "cold_start_ms": {name: run.cold_starts_ms for name, run in by_target.items()},
        "container_cold_start_ms": {
            name: run.container_cold_starts.samples_ms or run.container_cold_starts.missing
            for name, run in by_target.items()
            if name != BASELINE
        },
        "synth_s": synth,
        "apps": summaries,
        "client_call_ms": {name: run.client_call_ms for name, run in by_target.items() if run.client_call_ms},
        "targets": verdicts.summary(by_target),
        "go_peer_missing": go_missing,
    }


def run_server_configs(settings: Settings, apps: Sequence[str] = ()) -> dict[str, Any]:
    """Each app's first hot path (``REPRESENTATIVE``'s by default) under every candidate
    config, the configs interleaved; the best by mean req/s, per app."""
    env = environment(settings.cpu_split)
    _pin_load_side(settings.cpu_split)
    print(environment_section(env))
    compared = {name: _compare_configs(targets.target(name), settings) for name in apps or [REPRESENTATIVE]}
    return {"environment": env, "settings": asdict(settings), "apps": compared}


def _compare_configs(target: Target, settings: Settings) -> dict[str, Any]:
    subjects = [Subject(config.label, target, config) for config in CANDIDATE_CONFIGS]
    runs = runner.bench(subjects, replace(settings, cold_starts=0, client_calls=False), paths=1)
    results = {label: run.load for label, run in runs.items()}
    mean_rps = {label: sum(r.rps for r in load) / len(load) for label, load in results.items()}
    best = max(mean_rps, key=mean_rps.__getitem__)
    headers = ["config"] + [f"c={level}: req/s / p99 ms" for level in settings.levels]
    headers += ["mean req/s", "server CPU ms/req"]
    rows = [
        [label]
        + [f"{r.rps:,.0f} / {r.p99_ms:.1f}" for r in load]
        + [mean_rps[label], stats.cpu_ms_per_request(load)]
        for label, load in results.items()
    ]
    print(f"\n## Server configs ({target.name} {results[best][0].path})\n")
    print(stats.markdown_table(headers, rows))
    print(f"\nBest: {best}")
    return {"load": {label: [r.as_dict() for r in load] for label, load in results.items()}, "best": best}


def _levels(raw: str) -> tuple[int, ...]:
    levels = tuple(int(level) for level in raw.split(","))
    if not levels or min(levels) < 1:
        raise argparse.ArgumentTypeError("levels are positive integers, comma separated")
    return levels


def _positive(raw: str) -> int:
    value = int(raw)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__.split("\n")[0])
    parser.add_argument("--server-configs", action="store_true", help="compare gunicorn configurations")
    parser.add_argument(
        "--apps",
        nargs="*",
        choices=[t.name for t in TARGETS if t.app],
        default=[],
        help=f"apps to measure (default: all; with --server-configs: {REPRESENTATIVE}, first hot path)",
    )
    parser.add_argument("--levels", type=_levels, default=(1, 10, 50, 100), help="concurrency levels")
    parser.add_argument(
        "--rounds", type=_positive, default=3, help="times every hot path and level is measured, interleaved"
    )
    parser.add_argument(
        "--duration", type=float, default=1.0, help="seconds per hot path and level in each round"
    )
    parser.add_argument(
        "--max-requests", type=int, default=50_000, help="requests per hot path and level in each round"
    )
    parser.add_argument("--cold-starts", type=int, default=5, help="cold starts per app")
    parser.add_argument("--synth-runs", type=int, default=3, help="synths of each kind (0 skips)")
    parser.add_argument("--p99-target-ms", type=float, default=stats.DEFAULT_P99_TARGET_MS)
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    return parser.parse_args(argv)


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    # Unwind like Ctrl-C does, so the servers and backends started so far are stopped
    # instead of outliving a killed run (a CI timeout, `kill`).
    sys.exit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    settings = Settings(
        levels=args.levels,
        duration_s=args.duration,
        max_requests=args.max_requests,
        cold_starts=args.cold_starts,
        rounds=args.rounds,
        cpu_split=CpuSplit.of(cpus.available()),
    )
    try:
        if args.server_configs:
            document = run_server_configs(settings, args.apps)
            name = "server-configs"
        else:
            document = run_all(args, settings)
            name = "bench"
    except (process.MissingPrerequisite, RuntimeError, TimeoutError, subprocess.SubprocessError) as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    print(f"\nResults: {write_results(name, document, args.results_dir)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
