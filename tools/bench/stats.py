"""The pure part of ``make bench``: percentiles, targets, recommendations, costs, tables."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass

from tools import prices

#: The size our stacks use, priced as an active App Runner instance (tools/prices.py).
INSTANCE_VCPU = prices.DEFAULT_SIZE.vcpu
INSTANCE_GB = prices.DEFAULT_SIZE.gb

#: The cold start target and the latency max_concurrency is recommended by. (The peak
#: ratio to hello world and the synth ratio are still reported; issue 26 retired their
#: targets: tools.bench.verdicts has the current ones.)
MAX_COLD_START_MS = 500.0
DEFAULT_P99_TARGET_MS = 100.0


def percentile(values: Sequence[float], pct: float) -> float:
    """The ``pct``-th percentile (0-100) by linear interpolation between closest ranks."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= pct <= 100:
        raise ValueError(f"percentile must be within 0-100, got {pct}")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Sequence[float]) -> float:
    return percentile(values, 50)


@dataclass(frozen=True)
class LevelResult:
    """One hot path driven at one concurrency level."""

    target: str
    path: str
    concurrency: int
    requests: int
    errors: int
    elapsed_s: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    #: CPU seconds the server (master and workers) used meanwhile; None where unmeasured.
    server_cpu_s: float | None = None

    @property
    def rps(self) -> float:
        return self.requests / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def server_cpu_percent(self) -> float:
        """How busy the server was, ``top``-style (100 is one CPU): near 100 per server CPU
        means the server was the bottleneck, lower that it waited (on the backend or the load)."""
        if self.server_cpu_s is None or self.elapsed_s <= 0:
            return math.nan
        return 100 * self.server_cpu_s / self.elapsed_s

    @property
    def server_cpu_ms_per_request(self) -> float:
        """The server's CPU cost of one answer: what a vCPU-hour buys, whatever the load."""
        return cpu_ms_per_request([self])

    def as_dict(self) -> dict[str, object]:
        """The fields and the derived numbers, for the JSON results (NaN, which JSON lacks, as null)."""
        values = asdict(self) | {
            "rps": self.rps,
            "server_cpu_percent": self.server_cpu_percent,
            "server_cpu_ms_per_request": self.server_cpu_ms_per_request,
        }
        return {
            name: None if isinstance(value, float) and math.isnan(value) else value
            for name, value in values.items()
        }


def summarize(
    target: str,
    path: str,
    concurrency: int,
    *,
    latencies_ms: Sequence[float],
    errors: int,
    elapsed_s: float,
    server_cpu_s: float | None = None,
) -> LevelResult:
    """``requests`` counts the successful responses only: errors are not throughput."""
    p50, p90, p99 = (percentile(latencies_ms, pct) if latencies_ms else math.nan for pct in (50, 90, 99))
    return LevelResult(
        target, path, concurrency, len(latencies_ms), errors, elapsed_s, p50, p90, p99, server_cpu_s
    )


def baseline_ratio(result: LevelResult, baseline: Mapping[int, LevelResult]) -> float:
    """``result``'s requests/s over the baseline's at the same concurrency."""
    reference = baseline.get(result.concurrency)
    if reference is None or reference.rps == 0:
        return math.nan
    return result.rps / reference.rps


def peak_ratio(results: Iterable[LevelResult], baseline: Iterable[LevelResult]) -> float:
    """A hot path's best requests/s over the baseline's best (its capacity, whatever the level)."""
    best = max((result.rps for result in results), default=0.0)
    reference = max((result.rps for result in baseline), default=0.0)
    return best / reference if reference else math.nan


def cpu_ms_per_request(results: Iterable[LevelResult]) -> float:
    """The server's CPU per answered request over all of ``results`` (NaN when unmeasured)."""
    measured = [r for r in results if r.server_cpu_s is not None]
    requests = sum(r.requests for r in measured)
    if requests == 0:
        return math.nan
    return 1000 * sum(r.server_cpu_s or 0.0 for r in measured) / requests


def recommend_max_concurrency(results: Iterable[LevelResult], p99_target_ms: float) -> int | None:
    """The highest level at which every hot path of an app answered without errors and
    with p99 under ``p99_target_ms``; None when no level did."""
    by_level: dict[int, list[LevelResult]] = {}
    for result in results:
        by_level.setdefault(result.concurrency, []).append(result)
    passing = [
        level
        for level, level_results in by_level.items()
        if all(r.errors == 0 and r.p99_ms < p99_target_ms for r in level_results)
    ]
    return max(passing, default=None)


def instance_usd_per_hour(vcpu: float = INSTANCE_VCPU, gb: float = INSTANCE_GB) -> float:
    return prices.app_runner_active_usd_per_hour(prices.Size(vcpu, gb))


def cost_per_million(rps: float, vcpu: float = INSTANCE_VCPU, gb: float = INSTANCE_GB) -> float:
    """USD per million requests for one always-busy App Runner instance serving ``rps``."""
    if rps <= 0:
        return math.inf
    return prices.app_runner_usd_per_million_requests(rps, prices.Size(vcpu, gb))


def express_cost_per_million(rps: float, vcpu: float = INSTANCE_VCPU, gb: float = INSTANCE_GB) -> float:
    """USD per million requests for one always-busy ECS Express Mode task serving ``rps``,
    with the load balancer's capacity units (``prices.express_usd_per_million_requests``)."""
    if rps <= 0:
        return math.inf
    return prices.express_usd_per_million_requests(rps, prices.Size(vcpu, gb))


def sizing_rps(results: Iterable[LevelResult], level: int | None) -> float:
    """The per-instance throughput to price: the slowest hot path at ``level`` (the
    recommended one), or at the highest measured level when nothing is recommended."""
    results = list(results)
    if not results:
        return 0.0
    chosen = level if level is not None else max(r.concurrency for r in results)
    return min((r.rps for r in results if r.concurrency == chosen), default=0.0)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _cell(value: object) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        if math.isinf(value):
            return "inf"
        if abs(value) < 1:
            return f"{value:.3g}"
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    return "-" if value is None else str(value)


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A GitHub markdown table; floats with 3 significant digits below 1, 2 decimals below 100,
    none above; None and NaN as "-"."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)


def load_table(results: Iterable[LevelResult], baseline: Mapping[int, LevelResult]) -> str:
    headers = [
        "app", "hot path", "conc.", "req/s", "p50 ms", "p90 ms", "p99 ms", "errors", "vs baseline",
        "server CPU %", "CPU ms/req",
    ]  # fmt: skip
    rows = [
        [
            r.target,
            r.path,
            r.concurrency,
            r.rps,
            r.p50_ms,
            r.p90_ms,
            r.p99_ms,
            r.errors,
            baseline_ratio(r, baseline),
            r.server_cpu_percent,
            r.server_cpu_ms_per_request,
        ]
        for r in results
    ]
    return markdown_table(headers, rows)
