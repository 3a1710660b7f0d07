"""The article's Go shortener (``tools/bench/go_shortener``), built for ``make bench``
to compare our shortener's server CPU per request with (issue 26, target 1).

Built from Debian's ``golang-go`` and ``golang-github-aws-aws-sdk-go-v2-dev``, without
modules (``GO111MODULE=off``, the SDK from ``/usr/share/gocode``): no download. Where
``go`` or the SDK is missing, ``build`` says so and the bench goes on without the peer.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tools import REPO_ROOT

SOURCE = REPO_ROOT / "tools" / "bench" / "go_shortener"
#: Where Debian's -dev packages install Go sources.
SYSTEM_GOPATH = Path("/usr/share/gocode")
BUILD_TIMEOUT_S: float = 600


@dataclass(frozen=True)
class Built:
    #: The executable, or None when it could not be built.
    binary: Path | None
    #: Why there is no binary, or "".
    missing: str = ""


def build(work: Path) -> Built:
    """Build the peer into ``work`` (a directory of the caller's) with the ``go`` on PATH."""
    go = shutil.which("go")
    if go is None:
        return Built(
            None, "no `go` on PATH (Debian: apt-get install golang-go golang-github-aws-aws-sdk-go-v2-dev)"
        )
    binary = work / "go-shortener"
    env = os.environ | {
        "GO111MODULE": "off",
        "GOPATH": f"{work / 'gopath'}{os.pathsep}{SYSTEM_GOPATH}",
        "GOCACHE": str(work / "gocache"),
        "CGO_ENABLED": "0",
    }
    try:
        done = subprocess.run(
            [go, "build", "-o", str(binary), "."],
            cwd=SOURCE,
            env=env,
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Built(None, f"go build did not finish within {BUILD_TIMEOUT_S} s")
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or ["no output"])[0]
        return Built(None, f"go build failed (is golang-github-aws-aws-sdk-go-v2-dev installed?): {first}")
    return Built(binary)
