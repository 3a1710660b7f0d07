"""Interleaved rounds for ``make bench``: the order measurements run in, and how the
rounds of one hot path and level add up to one result.

A shared host speeds up and slows down by tens of percent from one minute to the next.
Measuring the baseline and every app at a level within seconds of each other, and doing
so in several rounds, makes their ratios a comparison instead of a sample of that drift.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tools.bench import stats
from tools.bench.load import LoadOutcome


@dataclass(frozen=True)
class Sample:
    """One hot path driven at one level in one round."""

    outcome: LoadOutcome
    server_cpu_s: float | None


def schedule(count: int, levels: Sequence[int], rounds: int) -> list[tuple[int, int, int]]:
    """``(round, level, subject index)`` in measuring order: every round goes through the
    levels, and at each level through every subject, starting one further each round."""
    return [
        (round_index, level, (round_index + offset) % count)
        for round_index in range(rounds)
        for level in levels
        for offset in range(count)
    ]


def combine(target: str, path: str, level: int, samples: Sequence[Sample]) -> stats.LevelResult:
    """The rounds of one hot path and level as one measurement: their answers over their time."""
    cpu = [sample.server_cpu_s for sample in samples]
    return stats.summarize(
        target,
        path,
        level,
        latencies_ms=[latency for sample in samples for latency in sample.outcome.latencies_ms],
        errors=sum(sample.outcome.errors for sample in samples),
        elapsed_s=sum(sample.outcome.elapsed_s for sample in samples),
        server_cpu_s=None if None in cpu else sum(c for c in cpu if c is not None),
    )
