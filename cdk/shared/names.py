"""Physical names derived from the stack name, cut to a service's length limit.

Cutting alone would give two stacks whose names share their first characters the same
name (``stack_prefix`` copies collide on deploy, or worse, share one auto scaling
configuration); a short hash of the whole name keeps them apart.
"""

from __future__ import annotations

import hashlib

HASH_LENGTH = 8


def bounded_name(name: str, max_length: int) -> str:
    """``name`` if it fits in ``max_length``; otherwise its start, a hyphen and the first
    characters of its SHA-256, ``max_length`` long."""
    if len(name) <= max_length:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:HASH_LENGTH]
    head = name[: max_length - 1 - HASH_LENGTH].rstrip("-_")
    return f"{head}-{digest}"
