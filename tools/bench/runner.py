"""Running ``make bench``'s measurements: each subject's backend, cold starts and server,
then every hot path at every level, interleaved (``tools.bench.rounds``); and the synth timing."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Collection, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tools import REPO_ROOT, local_http
from tools.backends import process
from tools.bench import client_calls, containers, cpus, stats
from tools.bench.containers import ContainerColdStarts
from tools.bench.cpus import CpuSplit
from tools.bench.load import LoadOutcome, LoadSpec
from tools.bench.rounds import Sample, combine, schedule
from tools.bench.servers import Server, ServerConfig
from tools.bench.targets import HotPath, Target

WARM_UP_S = 1.0


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
    #: Whether to time each hot path's client library call alone (``tools.bench.client_calls``).
    client_calls: bool = True


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
    #: CPU ms of each hot path's client library call alone (``tools.bench.client_calls``).
    client_call_ms: dict[str, float] = field(default_factory=dict)


def log(message: str) -> None:
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
    client_call_ms: dict[str, float]


def measure_client_calls(
    target: Target, backend_env: Mapping[str, str], server_cpus: Collection[int] | None
) -> dict[str, float]:
    """``tools.bench.client_calls`` for ``target`` on the server's CPUs; {} for a target
    whose hot paths call no backend."""
    if target.command or target.name not in client_calls.CLIENTS:
        return {}
    pin = None if server_cpus is None else functools.partial(os.sched_setaffinity, 0, server_cpus)
    done = subprocess.run(
        [sys.executable, "-m", "tools.bench.client_calls", target.name],
        env=os.environ | dict(backend_env),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        preexec_fn=pin,
    )
    if done.returncode != 0:
        raise RuntimeError(f"client calls of {target.name} failed: {done.stderr.strip()[-500:]}")
    measured: dict[str, float] = json.loads(done.stdout)
    return measured


def _start(stack: ExitStack, subject: Subject, settings: Settings, paths: int | None) -> _Started:
    """The subject's backend, its cold starts, then its server, seeded and warmed up."""
    target = subject.target
    log(f"{subject.label}: starting")
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
        if target.app and not target.command
        else ContainerColdStarts()
    )
    running, port, _elapsed = server.start()
    stack.callback(process.stop, running)
    hot_paths = target.hot_paths(port)[:paths]
    # Backend clients made on first use and first-request imports, in every worker, before measuring.
    drive(port, hot_paths[0], max(settings.levels), WARM_UP_S, settings.max_requests)
    # After the server started: it creates the schema the calls use (todo_postgres).
    calls = measure_client_calls(target, backend_env, server_cpus) if settings.client_calls else {}
    return _Started(subject, port, running.pid, hot_paths, cold_starts, container_cold_starts, calls)


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
                log(
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
            run.client_call_ms,
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
            log(f"  synth {kind}: {samples[-1]:.1f} s")
    return times
