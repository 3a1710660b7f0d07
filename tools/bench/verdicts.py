"""Issue 26's targets, from one ``make bench`` run:

1. server CPU per request: the shortener at most ``MAX_GO_RATIO`` times the article's Go
   app (``tools.bench.go_peer``) on each hot path; every other app at most
   ``MAX_REFERENCE_RATIO`` times hello world's plus its client library's own call
   (``tools.bench.client_calls``);
2. every hot path's p99 at c=``HIGH_LEVEL`` at most ``MAX_P99_GROWTH`` times its p99 at
   c=``LOW_LEVEL``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tools.bench import stats
from tools.bench.runner import TargetRun
from tools.bench.targets import BASELINE, GO_PEER, GO_PEER_OF

MAX_GO_RATIO = 4.0
MAX_REFERENCE_RATIO = 2.0
LOW_LEVEL = 10
HIGH_LEVEL = 50
MAX_P99_GROWTH = 3.0


@dataclass(frozen=True)
class CpuRow:
    app: str
    path: str
    cpu_ms: float
    #: CPU ms of the hot path's client library call alone (``tools.bench.client_calls``).
    client_call_ms: float
    reference: str
    reference_ms: float
    limit: float

    @property
    def ratio(self) -> float:
        return self.cpu_ms / self.reference_ms if self.reference_ms > 0 else math.nan

    def cells(self) -> list[object]:
        ratio = self.ratio
        verdict = "-" if math.isnan(ratio) else stats.verdict(ratio <= self.limit)
        return [
            self.app,
            self.path,
            self.cpu_ms,
            self.client_call_ms,
            self.reference,
            self.reference_ms,
            ratio,
            f"<= {self.limit:g}x",
            verdict,
        ]


def path_cpu_ms(run: TargetRun, path: str) -> float:
    """A hot path's server CPU per answered request over every level."""
    return stats.cpu_ms_per_request([r for r in run.load if r.path == path])


def cpu_rows(by_target: Mapping[str, TargetRun]) -> list[CpuRow]:
    baseline_ms = stats.cpu_ms_per_request(by_target[BASELINE].load)
    go = by_target.get(GO_PEER)
    rows = []
    for name, run in by_target.items():
        if name in (BASELINE, GO_PEER):
            continue
        for path in dict.fromkeys(r.path for r in run.load):
            cpu = path_cpu_ms(run, path)
            call_ms = run.client_call_ms.get(path, 0.0)
            if name == GO_PEER_OF:
                reference_ms = path_cpu_ms(go, path) if go else math.nan
                rows.append(CpuRow(name, path, cpu, call_ms, "Go peer", reference_ms, MAX_GO_RATIO))
            else:
                reference = "hello world + client call"
                rows.append(
                    CpuRow(name, path, cpu, call_ms, reference, baseline_ms + call_ms, MAX_REFERENCE_RATIO)
                )
    return rows


def p99_growth(run: TargetRun, path: str) -> float:
    """p99 at ``HIGH_LEVEL`` over p99 at ``LOW_LEVEL``; NaN when either was not measured."""
    p99 = {r.concurrency: r.p99_ms for r in run.load if r.path == path}
    if LOW_LEVEL not in p99 or HIGH_LEVEL not in p99 or not p99[LOW_LEVEL] > 0:
        return math.nan
    return p99[HIGH_LEVEL] / p99[LOW_LEVEL]


def p99_rows(by_target: Mapping[str, TargetRun]) -> list[list[object]]:
    rows: list[list[object]] = []
    for name, run in by_target.items():
        for path in dict.fromkeys(r.path for r in run.load):
            p99 = {r.concurrency: r.p99_ms for r in run.load if r.path == path}
            growth = p99_growth(run, path)
            verdict = "-" if math.isnan(growth) else stats.verdict(growth <= MAX_P99_GROWTH)
            rows.append([name, path, p99.get(LOW_LEVEL), p99.get(HIGH_LEVEL), growth, verdict])
    return rows


def section(by_target: Mapping[str, TargetRun], go_missing: str) -> str:
    cpu = [row.cells() for row in cpu_rows(by_target)]
    parts: Sequence[str] = [
        "## Target 1: server CPU per request against a reference (ms, every level)",
        stats.markdown_table(
            [
                "app",
                "hot path",
                "CPU ms/req",
                "client call ms",
                "reference",
                "reference ms",
                "ratio",
                "target",
                "verdict",
            ],
            cpu,
        ),
    ]
    if go_missing:
        parts = [*parts, f"Go peer not measured: {go_missing}"]
    parts = [
        *parts,
        f"## Target 2: p99 at c={HIGH_LEVEL} against c={LOW_LEVEL}",
        stats.markdown_table(
            [
                "app",
                "hot path",
                f"p99 c={LOW_LEVEL}",
                f"p99 c={HIGH_LEVEL}",
                "ratio",
                f"<= {MAX_P99_GROWTH:g}x",
            ],
            p99_rows(by_target),
        ),
    ]
    return "\n\n".join(parts)


def _json(value: float) -> float | None:
    """NaN (unmeasured), which strict JSON lacks, as null."""
    return None if math.isnan(value) else value


def summary(by_target: Mapping[str, TargetRun]) -> dict[str, object]:
    """The verdicts' numbers for the JSON results."""
    return {
        "cpu": [
            {
                "app": r.app,
                "path": r.path,
                "cpu_ms": _json(r.cpu_ms),
                "client_call_ms": r.client_call_ms,
                "reference": r.reference,
                "reference_ms": _json(r.reference_ms),
                "ratio": _json(r.ratio),
                "limit": r.limit,
            }
            for r in cpu_rows(by_target)
        ],
        "p99_growth": {
            f"{name} {path}": _json(p99_growth(run, path))
            for name, run in by_target.items()
            for path in dict.fromkeys(r.path for r in run.load)
        },
    }
