"""Short codes: random, URL-safe, long enough that guessing one is impractical."""

from __future__ import annotations

import re
import secrets
import string

ALPHABET = string.ascii_letters + string.digits
#: 62**8 ≈ 2.2e14 codes: collisions are rare, and retried when they happen.
CODE_LENGTH = 8
# Accepts longer codes too, so links survive a future increase of CODE_LENGTH.
_VALID_CODE = re.compile(rf"[{re.escape(ALPHABET)}]{{{CODE_LENGTH},64}}")


def generate_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def is_valid_code(code: str) -> bool:
    return _VALID_CODE.fullmatch(code) is not None
