"""Developer tooling: local backends, ``make dev`` and ``make bench`` runners, synth summary.

Used by the Makefile and by ``tests/``; never imported by ``apps/``, ``cdk/`` or
``constructs_lib/``.
"""

from pathlib import Path

#: The checkout: every path the tools and tests build starts here.
REPO_ROOT = Path(__file__).resolve().parents[1]
