"""``make bench``: every app's hot paths against a hello-world baseline, cold starts, synth time.

    python -m tools.bench                    the whole benchmark (a few minutes)
    python -m tools.bench --server-configs   one hot path under several gunicorn configurations

Each app runs as ``make dev-<app>`` runs it (``tools.dev``: its real local backend, the
stack's environment) but under the image's gunicorn config unchanged (``Server._env``
drops ``tools.dev``'s one-worker default), the baseline is Flask's hello world
under the same gunicorn config, and the load comes from another process
(``tools.bench.load``). Prints markdown, writes JSON to ``bench/results/``. Misses of
the issue's targets are reported, never fatal: this is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from types import FrameType
from typing import Any

from tools import REPO_ROOT, dev, local_http
from tools.backends import process
from tools.bench import containers, cpus, stats
from tools.bench.containers import ContainerColdStarts
from tools.bench.cpus import CpuSplit
from tools.bench.load import LoadOutcome, LoadSpec
from tools.bench.rounds import Sample, combine, schedule

RESULTS_DIR = REPO_ROOT / "bench" / "results"
BASELINE = "baseline"
#: The gunicorn settings a --server-configs run overrides; the rest of the env passes through.
SERVER_ENV = ("WEB_CONCURRENCY", "GUNICORN_THREADS")
START_TIMEOUT = 30.0
WARM_UP_S = 1.0


@dataclass(frozen=True)
class HotPath:
    label: str
    method: str
    path: str
    expected_status: int
    #: ``{n}`` becomes the request's number (see tools.bench.load).
    body: str = ""


@dataclass(frozen=True)
class ServerConfig:
    """gunicorn command-line overrides of ``apps/common/gunicorn_conf.py``; empty: as deployed."""

    worker_class: str | None = None
    workers: int | None = None
    threads: int | None = None

    @property
    def label(self) -> str:
        if self.worker_class is None:
            return "production config"
        return f"{self.worker_class} workers={self.workers} threads={self.threads}"

    def args(self) -> list[str]:
        if self.worker_class is None:
            return []
        return [
            "--worker-class",
            self.worker_class,
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
        ]


PRODUCTION = ServerConfig()
#: gevent/eventlet are not installed in the image: only the stock worker classes compete.
CANDIDATE_CONFIGS = (
    ServerConfig("sync", 1, 1),
    ServerConfig("sync", 2, 1),
    ServerConfig("gthread", 1, 4),
    ServerConfig("gthread", 1, 8),
    ServerConfig("gthread", 2, 4),
    ServerConfig("gthread", 2, 8),
)


def _created(port: int, path: str, body: object) -> bytes:
    status, _, answer = local_http.request(port, "POST", path, body)
    if status not in (200, 201):
        raise RuntimeError(f"seeding POST {path} answered {status}: {answer[:200]!r}")
    return answer


def _shortener(port: int) -> tuple[HotPath, ...]:
    code = json.loads(_created(port, "/", {"url": "https://example.com/bench"}))["ShortCode"]
    return (
        HotPath("GET /<code>", "GET", f"/{code}", 302),
        HotPath("POST /", "POST", "/", 200, '{"url": "https://example.com/{n}"}'),
    )


def _users(port: int) -> tuple[HotPath, ...]:
    _created(port, "/", {"email": "bench@example.com", "name": "Bench"})
    return (
        HotPath("GET /<email>", "GET", "/bench@example.com", 200),
        HotPath("POST /", "POST", "/", 200, '{"email": "user{n}@example.com", "name": "User {n}"}'),
    )


#: Tasks seeded, and the page size GET asks for: every GET answers this many, however
#: many tasks the POST path, measured in between (``schedule``), has added.
TODO_PAGE = 20


def _todo(port: int) -> tuple[HotPath, ...]:
    for number in range(TODO_PAGE):
        _created(port, "/api/v1/tasks", {"title": f"task {number}"})
    listing = f"/api/v1/tasks?limit={TODO_PAGE}"
    return (
        HotPath(f"GET {listing}", "GET", listing, 200),
        HotPath("POST /api/v1/tasks", "POST", "/api/v1/tasks", 201, '{"title": "bench {n}"}'),
    )


def _home(port: int) -> tuple[HotPath, ...]:
    return (HotPath("GET /", "GET", "/", 200),)


@dataclass(frozen=True)
class Target:
    name: str
    #: None for the baseline, which has no backend and is not in tools.dev.
    app: dev.DevApp | None
    health_path: str
    #: Seeds the running server with what the hot paths read; returns them.
    hot_paths: Callable[[int], tuple[HotPath, ...]]


TARGETS = (
    Target(BASELINE, None, "/", _home),
    Target("shortener", dev.find_app("shortener"), "/healthz", _shortener),
    Target("users-redis", dev.find_app("users-redis"), "/healthz", _users),
    Target("todo-postgres", dev.find_app("todo-postgres"), "/healthz", _todo),
    Target("chaos", dev.find_app("chaos"), "/healthz", _home),
)
#: The --server-configs hot path without --apps: a backend round trip, like most of the
#: apps' traffic.
REPRESENTATIVE = "users-redis"


@dataclass(frozen=True)
class Settings:
    levels: tuple[int, ...]
    #: Seconds per hot path and level in each round.
    duration_s: float
    max_requests: int
    cold_starts: int
    rounds: int
    #: None: one CPU, shared by everything.
    cpu_split: CpuSplit | None


class Server:
    """How to start one target's gunicorn; its backend is already running."""

    def __init__(
        self,
        target: Target,
        backend_env: Mapping[str, str],
        config: ServerConfig,
        logs: Path,
        cpus: frozenset[int] | None,
    ):
        self.target = target
        self.config = config
        self.backend_env = backend_env
        self.log_file = logs / f"{target.name}.log"
        self.cpus = cpus

    def _env(self, port: int) -> dict[str, str]:
        if self.target.app is None:
            passthrough = {name: os.environ[name] for name in dev.PASSTHROUGH_ENV if name in os.environ}
            env = passthrough | {"PORT": str(port), "PYTHONPATH": str(REPO_ROOT)}
        else:
            env = dev.app_env(self.target.app, port, self.backend_env)
        # tools.dev's own WEB_CONCURRENCY default is not the image's: keep only the caller's.
        for name in SERVER_ENV:
            if name not in os.environ:
                env.pop(name, None)
        return env

    def start(self) -> tuple[subprocess.Popen[bytes], int, float]:
        """Start gunicorn; returns it, its port and milliseconds to the first 200 on the health path."""
        port = process.free_port()
        args = dev.gunicorn_args(port) + self.config.args()
        if self.target.app is None:
            args.append("tools.bench.hello_world:app")
        began = time.perf_counter()
        server = process.start(args, log_file=self.log_file, env=self._env(port), cpus=self.cpus)
        try:
            _wait_for_ok(port, self.target.health_path, server)
        except BaseException:
            process.stop(server)
            raise
        return server, port, (time.perf_counter() - began) * 1000


def _wait_for_ok(port: int, path: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode} before answering {path}")
        try:
            if local_http.get(port, path)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.005)
    raise TimeoutError(f"no 200 on {path} after {START_TIMEOUT:.0f}s")


def drive(port: int, path: HotPath, concurrency: int, duration_s: float, max_requests: int) -> LoadOutcome:
    """Load from a separate process, so the client does not share the server's interpreter."""
    spec = LoadSpec(
        port, path.method, path.path, path.body, local_http.JSON_TYPE, path.expected_status,
        concurrency, duration_s, max_requests,
    )  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "tools.bench.load"],
        input=json.dumps(asdict(spec)),
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=duration_s + 60,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"load generator failed: {done.stderr.strip()[-500:]}")
    return LoadOutcome(**json.loads(done.stdout))


@dataclass(frozen=True)
class TargetRun:
    load: list[stats.LevelResult]
    cold_starts_ms: list[float]
    #: The same app as an image run with podman (``tools.bench.containers``).
    container_cold_starts: ContainerColdStarts = field(default_factory=ContainerColdStarts)


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Subject:
    """What one row of results measures: ``target`` served under ``config``."""

    label: str
    target: Target
    config: ServerConfig


@dataclass(frozen=True)
class _Started:
    subject: Subject
    port: int
    pid: int
    hot_paths: tuple[HotPath, ...]
    cold_starts_ms: list[float]
    container_cold_starts: ContainerColdStarts


def _start(stack: ExitStack, subject: Subject, settings: Settings, paths: int | None) -> _Started:
    """The subject's backend, its cold starts, then its server, seeded and warmed up."""
    target = subject.target
    _log(f"{subject.label}: starting")
    work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=f"bench-{target.name}-")))
    # PostgreSQL runs as its own OS user, which must reach its data dir inside this one.
    work.chmod(0o755)
    backend_env = target.app.backend(stack, work, None) if target.app else {}
    server_cpus = settings.cpu_split.server if settings.cpu_split else None
    server = Server(target, backend_env, subject.config, work, server_cpus)
    cold_starts = []
    for _ in range(settings.cold_starts):
        started, _port, elapsed_ms = server.start()
        process.stop(started)
        cold_starts.append(elapsed_ms)
    container_cold_starts = (
        containers.measure(target.app, backend_env, settings.cold_starts, server_cpus)
        if target.app
        else ContainerColdStarts()
    )
    running, port, _elapsed = server.start()
    stack.callback(process.stop, running)
    hot_paths = target.hot_paths(port)[:paths]
    # Lazy backend clients and first-request imports, in every worker, before measuring.
    drive(port, hot_paths[0], max(settings.levels), WARM_UP_S, settings.max_requests)
    return _Started(subject, port, running.pid, hot_paths, cold_starts, container_cold_starts)


def _measure(started: _Started, path: HotPath, level: int, settings: Settings) -> Sample:
    cpu_before = cpus.group_cpu_seconds(started.pid)
    outcome = drive(started.port, path, level, settings.duration_s, settings.max_requests)
    cpu_after = cpus.group_cpu_seconds(started.pid)
    return Sample(outcome, None if cpu_before is None or cpu_after is None else cpu_after - cpu_before)


def bench(subjects: Sequence[Subject], settings: Settings, paths: int | None = None) -> dict[str, TargetRun]:
    """Cold starts, then the first ``paths`` hot paths (all by default) of every subject
    at every level, interleaved (``schedule``): a subject and the baseline are measured
    seconds apart at each level, not minutes, so a host that speeds up or slows down
    (shared CPUs) moves both alike, and the rounds average what drift remains."""
    with ExitStack() as stack:
        started = [_start(stack, subject, settings, paths) for subject in subjects]
        samples: dict[tuple[str, str, int], list[Sample]] = {}
        for round_index, level, index in schedule(len(started), settings.levels, settings.rounds):
            run = started[index]
            for path in run.hot_paths:
                sample = _measure(run, path, level, settings)
                samples.setdefault((run.subject.label, path.label, level), []).append(sample)
                result = combine(run.subject.label, path.label, level, [sample])
                _log(
                    f"  round {round_index + 1}/{settings.rounds} {run.subject.label} {path.label}"
                    f" c={level}: {result.rps:,.0f} req/s p99 {result.p99_ms:.1f}"
                    f" server CPU {result.server_cpu_percent:.0f}%"
                )
    return {
        run.subject.label: TargetRun(
            [
                combine(run.subject.label, path.label, level, samples[run.subject.label, path.label, level])
                for path in run.hot_paths
                for level in settings.levels
            ],
            run.cold_starts_ms,
            run.container_cold_starts,
        )
        for run in started
    }


def time_synth(runs: int) -> dict[str, list[float]]:
    """Wall seconds of ``python -m tools.bench.synth <kind>``, interleaved so both see the same load."""
    env = os.environ | {"JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    times: dict[str, list[float]] = {"empty": [], "stacks": []}
    for _ in range(runs):
        for kind, samples in times.items():
            began = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "tools.bench.synth", kind],
                cwd=REPO_ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=False,
                timeout=600,
            )
            if done.returncode != 0:
                raise RuntimeError(f"synth {kind} failed: {done.stderr.strip()[-1000:]}")
            samples.append(time.perf_counter() - began)
            _log(f"  synth {kind}: {samples[-1]:.1f} s")
    return times


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


def _pin_load_side(split: CpuSplit | None) -> None:
    """From here on, what this process starts (load generator, backends) stays off the
    server's CPUs; servers are pinned to theirs when started."""
    if split:
        cpus.pin_self(split.rest)


def app_summary(run: TargetRun, baseline: TargetRun, p99_target_ms: float) -> dict[str, Any]:
    level = stats.recommend_max_concurrency(run.load, p99_target_ms)
    rps = stats.sizing_rps(run.load, level)
    paths = dict.fromkeys(r.path for r in run.load)
    return {
        "recommended_max_concurrency": level,
        "priced_rps": rps,
        "usd_per_million_requests": stats.cost_per_million(rps),
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
            stats.verdict(ratio >= stats.MIN_BASELINE_RATIO),
            summary["recommended_max_concurrency"],
            summary["priced_rps"],
            summary["usd_per_million_requests"],
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
        f"cost: one 1 vCPU / 2 GB instance at ${stats.instance_usd_per_hour():.3f}/hour serving the "
        "slowest hot path's req/s at that level)",
        stats.markdown_table(
            [
                "app",
                "hot path",
                "peak req/s vs baseline",
                f">= {stats.MIN_BASELINE_RATIO:g}",
                "max_concurrency",
                "priced req/s",
                "$ per million",
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
            ["empty App + Stack", empty, _runs(synth["empty"], 1), 1.0, "-"],
            [
                "the four stacks (cdk-nag on)",
                stacks,
                _runs(synth["stacks"], 1),
                ratio,
                stats.verdict(ratio <= stats.MAX_SYNTH_RATIO),
            ],
        ]
        sections += [
            "## Synth (wall seconds of a process that builds and synthesizes; stacks with cdk.json context)",
            stats.markdown_table(
                ["app", "median s", "runs s", "vs empty", f"<= {stats.MAX_SYNTH_RATIO:g}x"], rows
            ),
        ]
    return "\n\n".join(sections)


def environment_section(env: Mapping[str, Any]) -> str:
    return "## Environment\n\n" + "\n".join(f"- {name}: {value}" for name, value in env.items())


def write_results(name: str, document: Mapping[str, Any], results_dir: Path) -> Path:
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{name}.json"
    path.write_text(json.dumps(document, indent=2, default=str) + "\n")
    return path


def run_all(args: argparse.Namespace, settings: Settings) -> dict[str, Any]:
    targets = [t for t in TARGETS if t.name == BASELINE or not args.apps or t.name in args.apps]
    env = environment(settings.cpu_split)
    # Synth first: it fails fast, before minutes of load are measured.
    synth = {} if args.synth_runs == 0 else time_synth(args.synth_runs)
    _pin_load_side(settings.cpu_split)
    by_target = bench([Subject(target.name, target, PRODUCTION) for target in targets], settings)
    summaries = {
        name: app_summary(run, by_target[BASELINE], args.p99_target_ms)
        for name, run in by_target.items()
        if name != BASELINE
    }
    print(environment_section(env) + "\n\n" + report(by_target, summaries, synth, args.p99_target_ms))
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
    }


def run_server_configs(settings: Settings, apps: Sequence[str] = ()) -> dict[str, Any]:
    """Each app's first hot path (``REPRESENTATIVE``'s by default) under every candidate
    config, the configs interleaved; the best by mean req/s, per app."""
    env = environment(settings.cpu_split)
    _pin_load_side(settings.cpu_split)
    print(environment_section(env))
    compared = {name: _compare_configs(_target(name), settings) for name in apps or [REPRESENTATIVE]}
    return {"environment": env, "settings": asdict(settings), "apps": compared}


def _target(name: str) -> Target:
    return next(t for t in TARGETS if t.name == name)


def _compare_configs(target: Target, settings: Settings) -> dict[str, Any]:
    subjects = [Subject(config.label, target, config) for config in CANDIDATE_CONFIGS]
    runs = bench(subjects, replace(settings, cold_starts=0), paths=1)
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
