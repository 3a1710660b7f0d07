"""Which CPUs the server under test gets, which the load generator and backends get, and
how much CPU time the server used.

App Runner bills per vCPU and runs the datastore elsewhere: the server's own CPUs are what
a benchmark must measure. Sharing them with the load generator and the backend would
charge their work to the app (a slow local emulator most of all), so the server is
pinned to its own CPUs and everything else to the rest.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True)
class CpuSplit:
    #: CPUs of the server under test (gunicorn's master and workers).
    server: frozenset[int]
    #: CPUs of the benchmark itself, its load generator, the backends and the synths.
    rest: frozenset[int]

    @classmethod
    def of(cls, available: Collection[int]) -> CpuSplit | None:
        """Half of ``available`` (rounded down, at least one) for the server; None with a
        single CPU, where nothing can be kept apart."""
        cpus = sorted(available)
        if len(cpus) < 2:
            return None
        half = len(cpus) // 2
        return cls(server=frozenset(cpus[-half:]), rest=frozenset(cpus[:-half]))

    def describe(self) -> str:
        server, rest = _cpu_list(self.server), _cpu_list(self.rest)
        return f"server on CPU {server}; load generator and backend on CPU {rest}"


def _cpu_list(cpus: Collection[int]) -> str:
    return ",".join(str(cpu) for cpu in sorted(cpus))


def available() -> frozenset[int]:
    return frozenset(os.sched_getaffinity(0))


def pin_self(cpus: Collection[int]) -> None:
    """Pin this process; the processes it starts from now on inherit the pinning."""
    os.sched_setaffinity(0, cpus)


def group_cpu_seconds(pgid: int, proc: Path = PROC) -> float | None:
    """CPU seconds (user and system) used so far by the processes of group ``pgid``: a
    server started by ``process.start`` with its workers. Reaped children count through
    their parent's ``cutime``/``cstime``, so a worker that exits mid-measurement is not lost.
    None where there is no Linux ``/proc``."""
    if not proc.is_dir():
        return None
    ticks = 0
    for stat_file in proc.glob("[0-9]*/stat"):
        try:
            stat = stat_file.read_text()
        except OSError:  # exited since the glob
            continue
        # The command name may hold spaces and parentheses: fields start after the last ')'.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == pgid:
            # utime, stime, cutime, cstime (proc(5) fields 14-17).
            ticks += sum(int(value) for value in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")
