"""The pure parts of ``make bench`` and its load generator against a stdlib server.

No timing assertions: what a benchmark measures is reported, never tested.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.support.processes import children, running
from tools import dev, local_http
from tools.backends import process
from tools.backends.process import LOCALHOST
from tools.bench import cpus, go_peer, runner, stats, targets, verdicts
from tools.bench.cpus import CpuSplit
from tools.bench.load import LoadOutcome, LoadSpec, drive
from tools.bench.rounds import Sample, combine, schedule
from tools.bench.runner import TargetRun
from tools.bench.servers import CANDIDATE_CONFIGS, wait_for_ok
from tools.bench.targets import BASELINE, GO_PEER


def level(
    concurrency: int, rps: float, p99_ms: float = 10.0, errors: int = 0, path: str = "GET /"
) -> stats.LevelResult:
    # rps requests in one second.
    return stats.LevelResult("app", path, concurrency, int(rps), errors, 1.0, 1.0, 5.0, p99_ms)


def test_percentile_interpolates_between_closest_ranks() -> None:
    values = [4.0, 1.0, 3.0, 2.0, 5.0]
    assert stats.percentile(values, 0) == 1.0
    assert stats.percentile(values, 50) == 3.0
    assert stats.percentile(values, 100) == 5.0
    assert stats.percentile(values, 90) == pytest.approx(4.6)
    assert stats.percentile([1.0, 2.0], 50) == 1.5
    assert stats.percentile([7.0], 99) == 7.0
    assert stats.median([3.0, 1.0, 2.0]) == 2.0


@pytest.mark.parametrize("pct", [-1, 101])
def test_percentile_out_of_range(pct: float) -> None:
    with pytest.raises(ValueError, match="0-100"):
        stats.percentile([1.0], pct)


def test_percentile_of_nothing() -> None:
    with pytest.raises(ValueError, match="no values"):
        stats.percentile([], 50)


def test_summarize_counts_successes_as_throughput() -> None:
    result = stats.summarize(
        "a", "GET /", 10, latencies_ms=[float(n) for n in range(1, 101)], errors=3, elapsed_s=2.0
    )
    assert result.requests == 100
    assert result.rps == 50.0
    assert result.errors == 3
    assert result.p50_ms == 50.5
    assert result.p90_ms == pytest.approx(90.1)
    assert result.p99_ms == pytest.approx(99.01)


def test_summarize_with_only_errors_has_no_latency() -> None:
    result = stats.summarize("a", "GET /", 1, latencies_ms=[], errors=5, elapsed_s=1.0)
    assert result.rps == 0.0
    assert math.isnan(result.p99_ms)


def test_recommendation_is_the_highest_level_where_every_path_meets_the_target() -> None:
    results = [
        level(1, 100, 5), level(10, 500, 20), level(50, 600, 90), level(100, 600, 250),
        level(1, 80, 5, path="POST /"), level(10, 300, 40, path="POST /"), level(50, 300, 150, path="POST /"),
        level(100, 300, 400, path="POST /"),
    ]  # fmt: skip
    assert stats.recommend_max_concurrency(results, 100.0) == 10
    assert stats.recommend_max_concurrency(results, 300.0) == 50
    assert stats.recommend_max_concurrency(results, 500.0) == 100
    assert stats.recommend_max_concurrency(results, 1.0) is None


def test_recommendation_rejects_a_level_with_errors() -> None:
    assert stats.recommend_max_concurrency([level(1, 100, 5), level(10, 900, 5, errors=1)], 100.0) == 1


def test_cost_per_million_requests() -> None:
    # (0.064 * 1 + 0.007 * 2) $/hour = 0.078 $/hour; at 100 req/s an hour is 360,000 requests.
    assert stats.instance_usd_per_hour() == pytest.approx(0.078)
    assert stats.cost_per_million(100) == pytest.approx(0.078 / 0.36)
    assert stats.cost_per_million(100, vcpu=2, gb=4) == pytest.approx(2 * 0.078 / 0.36)
    assert stats.cost_per_million(0) == math.inf


def test_ecs_express_cost_per_million_requests_adds_the_load_balancer_capacity() -> None:
    # A task (0.04048 + 2 * 0.004445 + 0.005 public IPv4) $/hour at 100 req/s, and one
    # LCU-hour ($0.008) per 25 new connections a second: a connection per request.
    task = (0.04048 + 2 * 0.004445 + 0.005) / 0.36
    assert stats.express_cost_per_million(100) == pytest.approx(task + 0.008 / 3600 / 25 * 1e6)
    assert stats.express_cost_per_million(0) == math.inf


def test_sizing_rps_is_the_slowest_path_at_the_level() -> None:
    results = [level(10, 500), level(10, 300, path="POST /"), level(50, 800), level(50, 700, path="POST /")]
    assert stats.sizing_rps(results, 10) == 300
    assert stats.sizing_rps(results, None) == 700
    assert stats.sizing_rps([], None) == 0.0


def test_ratios_to_baseline() -> None:
    baseline = [level(1, 200), level(10, 1000)]
    assert stats.baseline_ratio(level(10, 600), {b.concurrency: b for b in baseline}) == 0.6
    assert math.isnan(stats.baseline_ratio(level(50, 600), {b.concurrency: b for b in baseline}))
    # Peak against peak, whatever level each reached it at.
    assert stats.peak_ratio([level(1, 150), level(10, 400)], baseline) == 0.4
    assert math.isnan(stats.peak_ratio([level(1, 150)], []))


def test_markdown_table_formats_numbers() -> None:
    table = stats.markdown_table(["a", "b"], [["x", 1234.5], [None, 0.0656789], [3, math.nan], ["y", 12.345]])
    assert table.splitlines() == [
        "| a | b |",
        "|---|---|",
        "| x | 1,234 |",
        "| - | 0.0657 |",
        "| 3 | - |",
        "| y | 12.35 |",
    ]


def test_load_table_has_a_row_per_level_with_its_baseline_ratio() -> None:
    baseline = {1: level(1, 200)}
    measured = replace(level(1, 100), server_cpu_s=0.5)
    lines = stats.load_table([measured, level(1, 50)], baseline).splitlines()
    assert lines[0].startswith("| app | hot path | conc. | req/s |")
    assert lines[0].endswith("| vs baseline | server CPU % | CPU ms/req |")
    assert lines[2] == "| app | GET / | 1 | 100 | 1.00 | 5.00 | 10.00 | 0 | 0.5 | 50.00 | 5.00 |"
    assert lines[3] == "| app | GET / | 1 | 50.00 | 1.00 | 5.00 | 10.00 | 0 | 0.25 | - | - |"


def test_server_cpu_per_request_and_busy_share() -> None:
    # 400 answers in 2 s while the server used 1.5 CPU seconds.
    result = stats.summarize(
        "a", "GET /", 10, latencies_ms=[1.0] * 400, errors=0, elapsed_s=2.0, server_cpu_s=1.5
    )
    assert result.server_cpu_percent == 75.0
    assert result.server_cpu_ms_per_request == 3.75
    unanswered = stats.summarize("a", "GET /", 10, latencies_ms=[], errors=4, elapsed_s=2.0, server_cpu_s=1.0)
    assert math.isnan(unanswered.server_cpu_ms_per_request)


def test_cpu_ms_per_request_over_levels_weighs_by_requests() -> None:
    # 1.0 CPU s for 100 answers and 3.0 CPU s for 900: 4 s over 1000 requests.
    results = [replace(level(1, 100), server_cpu_s=1.0), replace(level(10, 900), server_cpu_s=3.0)]
    assert stats.cpu_ms_per_request(results) == 4.0
    # An unmeasured level counts neither its time nor its requests.
    assert stats.cpu_ms_per_request([*results, level(50, 1000)]) == 4.0
    assert math.isnan(stats.cpu_ms_per_request([level(1, 100)]))
    assert math.isnan(stats.cpu_ms_per_request([]))


def test_level_as_dict_is_strict_json() -> None:
    document = stats.summarize("a", "GET /", 1, latencies_ms=[], errors=1, elapsed_s=1.0).as_dict()
    assert document["p99_ms"] is None
    assert document["server_cpu_percent"] is None
    assert document["rps"] == 0.0
    json.dumps(document, allow_nan=False)
    measured = replace(level(1, 100), server_cpu_s=0.25).as_dict()
    assert measured["server_cpu_ms_per_request"] == 2.5
    assert measured["server_cpu_s"] == 0.25


def test_schedule_measures_every_subject_at_a_level_before_the_next_level() -> None:
    order = schedule(3, (1, 10), rounds=2)
    assert order == [
        (0, 1, 0), (0, 1, 1), (0, 1, 2), (0, 10, 0), (0, 10, 1), (0, 10, 2),
        # Each round starts one subject further: none is always first after a level change.
        (1, 1, 1), (1, 1, 2), (1, 1, 0), (1, 10, 1), (1, 10, 2), (1, 10, 0),
    ]  # fmt: skip


def test_combined_rounds_are_their_answers_over_their_time() -> None:
    rounds = [
        Sample(LoadOutcome([1.0] * 300, errors=1, elapsed_s=1.0), server_cpu_s=0.5),
        Sample(LoadOutcome([3.0] * 100, errors=2, elapsed_s=1.0), server_cpu_s=0.3),
    ]
    result = combine("app", "GET /", 10, rounds)
    assert (result.requests, result.errors, result.elapsed_s) == (400, 3, 2.0)
    assert result.rps == 200.0
    assert result.server_cpu_s == pytest.approx(0.8)
    # Percentiles over every answer, not an average of the rounds' percentiles.
    assert (result.p50_ms, result.p99_ms) == (1.0, 3.0)
    unmeasured = combine("app", "GET /", 10, [rounds[0], replace(rounds[1], server_cpu_s=None)])
    assert unmeasured.server_cpu_s is None


class _Handler(BaseHTTPRequestHandler):
    """200 on GET /ok, 404 elsewhere; HTTP/1.0, so every answer closes its connection."""

    def do_GET(self) -> None:
        body = b"ok"
        self.send_response(200 if self.path == "/ok" else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def http_port() -> Iterator[int]:
    server = ThreadingHTTPServer((LOCALHOST, 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def spec(port: int, path: str, max_requests: int) -> LoadSpec:
    return LoadSpec(port, "GET", path, "", "text/plain", 200, 3, 5.0, max_requests)


def test_load_stops_at_max_requests_and_reconnects_after_close(http_port: int) -> None:
    outcome = drive(spec(http_port, "/ok", 30))
    assert (len(outcome.latencies_ms), outcome.errors) == (30, 0)
    assert all(latency > 0 for latency in outcome.latencies_ms)


def test_unexpected_status_is_an_error(http_port: int) -> None:
    outcome = drive(spec(http_port, "/missing", 10))
    assert (len(outcome.latencies_ms), outcome.errors) == (0, 10)


def test_refused_connections_are_errors() -> None:
    with ThreadingHTTPServer((LOCALHOST, 0), _Handler) as closed:
        port = closed.server_address[1]
    outcome = drive(spec(port, "/ok", 5))
    assert (len(outcome.latencies_ms), outcome.errors) == (0, 5)


@pytest.mark.parametrize(
    ("available", "server", "rest"),
    [
        ({0, 1}, {1}, {0}),
        ({0, 1, 2}, {2}, {0, 1}),
        ({0, 1, 2, 3}, {2, 3}, {0, 1}),
        ({3, 5}, {5}, {3}),
    ],
)
def test_cpu_split_gives_the_server_its_own_half(
    available: set[int], server: set[int], rest: set[int]
) -> None:
    assert CpuSplit.of(available) == CpuSplit(server=frozenset(server), rest=frozenset(rest))


def test_one_cpu_cannot_be_split() -> None:
    assert CpuSplit.of({0}) is None


_BUSY_CHILD = """
import os, sys, time
def spin(seconds):
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
child = os.fork()
if child == 0:
    spin(0.4)
    os._exit(0)
spin(0.2)
os.waitpid(child, 0)
print("done", flush=True)
time.sleep(30)
"""


def test_group_cpu_seconds_counts_the_leader_and_its_reaped_children() -> None:
    server = subprocess.Popen(
        [sys.executable, "-c", _BUSY_CHILD], stdout=subprocess.PIPE, start_new_session=True
    )
    try:
        assert server.stdout is not None
        assert server.stdout.readline() == b"done\n"
        used = cpus.group_cpu_seconds(server.pid)
        # 0.6 s spun (0.2 s by the leader, 0.4 s by its exited child), plus interpreter start-up.
        assert used is not None
        assert 0.55 <= used < 3.0
        # Another group's time is not counted.
        assert cpus.group_cpu_seconds(os.getpgrp()) != used
    finally:
        process.stop(server)


def test_group_cpu_seconds_without_proc(tmp_path: Path) -> None:
    assert cpus.group_cpu_seconds(1, proc=tmp_path / "missing") is None


def test_started_process_is_pinned_to_its_cpus() -> None:
    cpu = max(os.sched_getaffinity(0))
    child = process.start([sys.executable, "-c", "import time; time.sleep(30)"], cpus={cpu})
    try:
        assert os.sched_getaffinity(child.pid) == {cpu}
    finally:
        process.stop(child)


def test_terminated_bench_stops_what_it_started() -> None:
    # A long load level, so SIGTERM lands while the baseline server and the load generator run.
    args = ["--apps", "chaos", "--synth-runs", "0", "--cold-starts", "0", "--levels", "1", "--duration", "60"]
    bench = subprocess.Popen(
        [sys.executable, "-m", "tools.bench", *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    started: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while len(started := children(bench.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(started) >= 2, "the bench never started its server and load generator"
        # The server's workers too.
        started |= {worker for pid in started for worker in children(pid)}
        bench.terminate()
        assert bench.wait(timeout=30) == 128 + signal.SIGTERM
        deadline = time.monotonic() + 5
        while any(running(pid) for pid in started) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [pid for pid in started if running(pid)]
    finally:
        bench.kill()
        bench.wait()
        for pid in started:  # only left over when the test failed
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _bench(results_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m tools.bench`` run to completion, its results in ``results_dir``."""
    command = [sys.executable, "-m", "tools.bench", *args, "--results-dir", str(results_dir)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


@pytest.mark.slow
def test_bench_interleaves_rounds_and_reports_them_combined(tmp_path: Path) -> None:
    args = ["--apps", "chaos", "--levels", "1,2", "--rounds", "2", "--duration", "0.3"]
    done = _bench(tmp_path, *args, "--cold-starts", "1", "--synth-runs", "0")
    # The progress lines, in the order the levels were measured: "  round 1/2 chaos GET / c=1: ...".
    measured = [
        (int(match[1]) - 1, int(match[3]), match[2])
        for match in re.finditer(r"^  round (\d+)/\d+ (\S+) .* c=(\d+):", done.stderr, re.MULTILINE)
    ]
    subjects = ["baseline", "chaos"]
    assert measured == [(r, level, subjects[i]) for r, level, i in schedule(2, (1, 2), rounds=2)]
    assert "| chaos | GET / | 2 |" in done.stdout
    [results] = tmp_path.glob("*-bench.json")
    document = json.loads(results.read_text())
    assert document["settings"]["rounds"] == 2
    rows = {(row["target"], row["concurrency"]): row for row in document["load"]}
    assert set(rows) == {(name, level) for name in subjects for level in (1, 2)}
    # Both rounds' time: each round drives for --duration.
    assert all(row["elapsed_s"] >= 2 * 0.3 and row["requests"] > 0 for row in rows.values())


@pytest.mark.slow
def test_server_configs_compare_the_app_asked_for(tmp_path: Path) -> None:
    args = ["--server-configs", "--apps", "chaos", "--levels", "1", "--rounds", "1", "--duration", "0.2"]
    done = _bench(tmp_path, *args)
    # Not the default users-redis: the app --apps names, every candidate config measured.
    assert "## Server configs (chaos GET /)" in done.stdout
    [results] = tmp_path.glob("*-server-configs.json")
    [(app, compared)] = json.loads(results.read_text())["apps"].items()
    assert app == "chaos"
    assert set(compared["load"]) == {config.label for config in CANDIDATE_CONFIGS}
    assert compared["best"] in compared["load"]
    assert all(row["requests"] > 0 for load in compared["load"].values() for row in load)


@pytest.mark.slow
def test_empty_app_synth_imports_none_of_our_stacks() -> None:
    # The baseline is an empty CDK app: importing the stacks (and cdk-nag) is what they cost.
    program = (
        "import runpy, sys\n"
        "sys.argv = ['synth', 'empty']\n"
        "runpy.run_module('tools.bench.synth', run_name='__main__')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'cdk', 'constructs_lib', 'cdk_nag'}))\n"
    )
    command = [sys.executable, "-c", program]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    seconds, imported = done.stdout.splitlines()
    assert float(seconds) > 0
    assert imported == "[]"


def _run(
    name: str, load: list[stats.LevelResult], client_call_ms: dict[str, float] | None = None
) -> TargetRun:
    return TargetRun([replace(r, target=name) for r in load], [], client_call_ms=client_call_ms or {})


def _measured(path: str, concurrency: int, cpu_ms: float, p99_ms: float) -> stats.LevelResult:
    # 1,000 answers in a second, so the CPU per request is cpu_ms.
    return replace(level(concurrency, 1000, p99_ms, path=path), server_cpu_s=cpu_ms)


def test_cpu_target_compares_the_shortener_with_go_and_the_others_with_hello_world_plus_their_call() -> None:
    by_target = {
        BASELINE: _run(BASELINE, [_measured("GET /", 10, 0.2, 10)]),
        "shortener": _run(
            "shortener",
            [_measured("GET /<code>", 10, 0.9, 10), _measured("POST /", 10, 1.0, 10)],
            {"GET /<code>": 0.6},
        ),
        "users-redis": _run("users-redis", [_measured("GET /<email>", 10, 0.5, 10)], {"GET /<email>": 0.05}),
        "chaos": _run("chaos", [_measured("GET /", 10, 0.3, 10)]),
        GO_PEER: _run(GO_PEER, [_measured("GET /<code>", 10, 0.25, 10), _measured("POST /", 10, 0.2, 10)]),
    }
    rows = {(row.app, row.path): row for row in verdicts.cpu_rows(by_target)}
    assert set(rows) == {
        ("shortener", "GET /<code>"),
        ("shortener", "POST /"),
        ("users-redis", "GET /<email>"),
        ("chaos", "GET /"),
    }
    assert rows["shortener", "GET /<code>"].ratio == pytest.approx(3.6)
    assert rows["shortener", "GET /<code>"].cells()[-2:] == ["<= 4x", "PASS"]
    # The shortener's own call is shown, not added: Go's request includes its SDK call.
    assert rows["shortener", "GET /<code>"].client_call_ms == 0.6
    assert rows["shortener", "POST /"].cells()[-1] == "FAIL"  # 5x Go
    # 0.5 ms against 0.2 + 0.05: 2x, on the line.
    assert rows["users-redis", "GET /<email>"].ratio == pytest.approx(2.0)
    assert rows["users-redis", "GET /<email>"].cells()[-2:] == ["<= 2x", "PASS"]
    # No backend call on chaos's hot path: hello world alone is its reference.
    assert rows["chaos", "GET /"].reference_ms == pytest.approx(0.2)
    without_go = {name: run for name, run in by_target.items() if name != GO_PEER}
    row = next(r for r in verdicts.cpu_rows(without_go) if r.app == "shortener")
    assert math.isnan(row.ratio)
    assert row.cells()[-1] == "-"
    # The JSON results stay strict JSON without the peer.
    document = verdicts.summary(without_go)
    json.dumps(document, allow_nan=False)


def test_p99_target_compares_c50_with_c10() -> None:
    run = _run(
        "app",
        [_measured("GET /", 10, 0.2, 20), _measured("GET /", 50, 0.2, 61), _measured("GET /", 1, 0.2, 1)],
    )
    assert verdicts.p99_growth(run, "GET /") == pytest.approx(3.05)
    assert verdicts.p99_rows({"app": run}) == [["app", "GET /", 20, 61, pytest.approx(3.05), "FAIL"]]
    only_low = _run("app", [_measured("GET /", 10, 0.2, 20)])
    assert math.isnan(verdicts.p99_growth(only_low, "GET /"))
    assert verdicts.p99_rows({"app": only_low})[0][-1] == "-"


def test_go_peer_without_go_is_a_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    built = go_peer.build(tmp_path)
    assert built.binary is None
    assert built.missing.startswith("no `go` on PATH")


def test_a_go_build_that_outlasts_its_timeout_is_a_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_go = tmp_path / "go"
    fake_go.write_text("#!/bin/sh\nexec sleep 30\n")
    fake_go.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(go_peer, "BUILD_TIMEOUT_S", 0.2)
    built = go_peer.build(tmp_path)
    assert built.binary is None
    assert built.missing == "go build did not finish within 0.2 s"


@pytest.mark.skipif(shutil.which("go") is None, reason="no go: the bench skips its Go peer too")
@pytest.mark.slow
def test_go_peer_shortens_and_redirects_like_ours(tmp_path: Path) -> None:
    built = go_peer.build(tmp_path)
    assert built.binary is not None, built.missing
    with ExitStack() as stack:
        shortener = dev.find_app("shortener")
        env = dev.app_env(shortener, process.free_port(), shortener.backend(stack, tmp_path, None))
        server = process.start([str(built.binary)], env=env)
        stack.callback(process.stop, server)
        port = int(env["PORT"])
        wait_for_ok(port, "/healthz", server, GO_PEER)
        created = local_http.request(port, "POST", "/", {"url": "https://example.com/go"})
        assert created.status == 200
        code = json.loads(created.body)["ShortCode"]
        assert re.fullmatch(r"[0-9a-f]{8}", code)
        redirect = local_http.request(port, "GET", f"/{code}")
        assert (redirect.status, redirect.headers["Location"], redirect.body) == (
            302,
            "https://example.com/go",
            b"",
        )
        assert local_http.request(port, "GET", "/00000000").status == 404


def test_client_calls_are_timed_for_the_hot_paths_the_bench_drives(tmp_path: Path) -> None:
    # A path label that matched no hot path would drop the call from the reference.
    target = targets.target("users-redis")
    assert target.app is not None
    with ExitStack() as stack:
        backend_env = target.app.backend(stack, tmp_path, None)
        measured = runner.measure_client_calls(target, backend_env, None)
    # The labels of tools.bench.targets' users-redis hot paths.
    assert set(measured) == {"GET /<email>", "POST /"}
    assert all(ms > 0 for ms in measured.values())
    assert runner.measure_client_calls(targets.target("chaos"), {}, None) == {}
    # The Go peer is measured as it is; the shortener's call is timed for it.
    assert runner.measure_client_calls(targets.go_peer(tmp_path / "go-shortener"), backend_env, None) == {}


@pytest.mark.slow
def test_the_shortener_s_client_call_is_the_apps_own_dynamodb_client(tmp_path: Path) -> None:
    target = targets.target("shortener")
    assert target.app is not None
    with ExitStack() as stack:
        measured = runner.measure_client_calls(target, target.app.backend(stack, tmp_path, None), None)
    assert set(measured) == {"GET /<code>", "POST /"}
    assert all(ms > 0 for ms in measured.values())
