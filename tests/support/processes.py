"""What ``/proc`` says about the processes a test started (Linux only)."""

from __future__ import annotations

from pathlib import Path

from tools.backends.process import children

__all__ = ["children", "pids_of", "running"]


def running(pid: int) -> bool:
    """The process exists and is not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    # The state is the first field after the command name, which may itself hold ")".
    return stat.rpartition(")")[2].split()[0] != "Z"


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
