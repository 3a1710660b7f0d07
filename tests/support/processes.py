"""What ``/proc`` says about the processes a test started (Linux only)."""

from __future__ import annotations

import contextlib
from pathlib import Path


def running(pid: int) -> bool:
    """The process exists and is not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    # The state is the first field after the command name, which may itself hold ")".
    return stat.rpartition(")")[2].split()[0] != "Z"


def children(pid: int) -> set[int]:
    """The direct children of ``pid``, whichever of its threads started them."""
    found: set[int] = set()
    for listing in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            found.update(int(child) for child in listing.read_text().split())
    return found


def pids_of(program: str, argument: str) -> list[int]:
    """Pids of the running ``program`` processes (by the name in argv[0]) that were given
    ``argument`` as one of their arguments."""
    pids = []
    for proc in Path("/proc").iterdir():
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:  # not a process, or gone meanwhile
            continue
        if Path(argv[0].decode(errors="replace")).name == program and argument.encode() in argv[1:]:
            pids.append(int(proc.name))
    return pids
