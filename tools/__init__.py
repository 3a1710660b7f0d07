"""Developer tooling: local backends, ``make dev`` and ``make bench`` runners, synth summary.

Used by the Makefile and by ``tests/``; never imported by ``apps/``, ``cdk/`` or
``constructs_lib/``.
"""
