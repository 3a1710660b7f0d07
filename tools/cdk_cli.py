"""Run the CDK CLI with make's ``CONTEXT`` as ``-c key=value`` arguments.

    CONTEXT="shortener:cpu=2 vCPU shortener:memory=4 GB" python -m tools.cdk_cli synth ...

``CONTEXT`` holds ``key=value`` assignments separated by spaces. A word without ``=``
continues the value before it, joined by one space, so a value with spaces needs no
quotes: ``shortener:cpu=2 vCPU``. (A value therefore cannot hold a word with ``=``
after a space.) Every key must be one of cdk.json's context keys; a misspelt one stops
the command with the closest known key, before the CDK CLI starts.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

from cdk.context import ContextError, check_keys, configuration_error
from tools import REPO_ROOT

CDK = REPO_ROOT / "node_modules" / ".bin" / "cdk"
CONTEXT_VAR = "CONTEXT"


def parse_context(text: str) -> dict[str, str]:
    """The assignments in ``text``, by the rule in this module's docstring."""
    words: dict[str, list[str]] = {}
    key: str | None = None
    for word in text.split():
        name, equals, value = word.partition("=")
        if not equals:
            if key is None:
                raise ContextError(f"CONTEXT must start with key=value, got {word!r}")
            words[key].append(word)
            continue
        if not name:
            raise ContextError(f"CONTEXT assignment {word!r} has no key before '='")
        if name in words:
            raise ContextError(f"CONTEXT sets `{name}` twice")
        key = name
        words[key] = [value] if value else []
    return {name: " ".join(parts) for name, parts in words.items()}


def context_overrides(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """``CONTEXT`` from ``environ`` (make exports it), parsed and its keys checked."""
    overrides = parse_context(environ.get(CONTEXT_VAR, ""))
    check_keys(overrides)
    return overrides


def cdk_command(args: Sequence[str], overrides: Mapping[str, str]) -> list[str]:
    """The CDK CLI's command line: ``args``, then one ``-c key=value`` per override."""
    command = [str(CDK), *args]
    for key, value in overrides.items():
        command += ["-c", f"{key}={value}"]
    return command


def main(argv: Sequence[str]) -> int:
    try:
        overrides = context_overrides()
    except ContextError as error:
        print(configuration_error(error), file=sys.stderr)
        return 2
    command = cdk_command(argv, overrides)
    os.execv(command[0], command)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
