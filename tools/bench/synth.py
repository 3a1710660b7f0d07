"""Synthesize the four stacks or an empty app, timed (``python -m tools.bench.synth``).

    python -m tools.bench.synth stacks|empty

The stacks with cdk.json's context, as ``cdk synth`` would, into a temporary directory.
Prints the seconds from building the app to the end of synthesis (the caller times the
whole process, imports included). The empty app imports only aws-cdk-lib: importing our
stacks' modules is part of what the stacks cost, not of the baseline they are compared with.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from aws_cdk import App, Stack

KINDS = ("stacks", "empty")


def synth(kind: str, outdir: Path) -> float:
    start = time.perf_counter()
    if kind == "stacks":
        from cdk.app import build_app, new_app  # here, not at the top: see the module docstring

        build_app(new_app(outdir)).synth()
    else:
        # Without cdk.json's context: its validateAgainstDefaultRules rejects a stack with no resources.
        app = App(outdir=str(outdir))
        Stack(app, "Empty")
        app.synth()
    return time.perf_counter() - start


def main() -> None:
    if len(sys.argv) != 2 or sys.argv[1] not in KINDS:
        sys.exit(f"usage: python -m tools.bench.synth {'|'.join(KINDS)}")
    with tempfile.TemporaryDirectory(prefix="bench-synth-") as outdir:
        print(synth(sys.argv[1], Path(outdir)))


if __name__ == "__main__":
    main()
