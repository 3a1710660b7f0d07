"""Which Node.js the project runs on: the CDK CLI, dynalite and the jsii runtime that
aws-cdk-lib starts under Python all use the ``node`` on PATH.

jsii supports a Node.js release line until six months after the line's end of life (the
``NodeRelease`` table in the jsii runtime aws-cdk-lib 2.275 ships): Node 20 reached its
end of life on 2026-04-30 and left jsii's support on 2026-10-30; 22 is supported until
2027-10-30 and 24 until 2028-10-30. So 22 and 24 are supported, 24 is recommended, 20
still runs (with a warning) and anything older stops the install.

Run by the Makefile before ``npm ci`` with the standard library only (no .venv yet):
``python3 tools/node_version.py "$(node --version)"``.
"""

from __future__ import annotations

import re
import sys

SUPPORTED = (22, 24)
RECOMMENDED = 24
#: Past jsii's support, but it still works: a warning, not a stop.
END_OF_LIFE = (20,)


def check(version: str) -> tuple[bool, str]:
    """Whether ``version`` (``node --version``, e.g. ``v22.11.0``) may be used, and what to say."""
    found = re.fullmatch(r"v?(\d+)\.\d+\.\d+\S*", version.strip())
    if found is None:
        return False, f"cannot read the Node.js version {version.strip()!r} (from `node --version`)"
    major = int(found.group(1))
    wanted = f"Node.js {' or '.join(map(str, SUPPORTED))} ({RECOMMENDED} recommended)"
    if major in SUPPORTED:
        return True, ""
    if major in END_OF_LIFE:
        return True, (
            f"warning: Node.js {major} is past its end of life and jsii's support (since 2026-10-30); "
            f"it still works, but use {wanted}"
        )
    if major > min(END_OF_LIFE):
        return True, f"warning: jsii does not test Node.js {major}; the supported versions are {wanted}"
    return False, (
        f"Node.js {version.strip()} is too old: use {wanted}; Debian 12's nodejs package is 18 "
        "(take Node.js from NodeSource or nvm there)"
    )


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print('usage: python3 tools/node_version.py "$(node --version)"', file=sys.stderr)
        return 2
    usable, message = check(argv[0])
    if message:
        print(message, file=sys.stderr)
    return 0 if usable else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
