"""The base image the Dockerfile starts FROM: ``python:3.11-slim-bookworm``.

Where no container registry is reachable, a stand-in is made from Debian's own packages
and stored under that exact name, so the Dockerfile builds unchanged: ``debootstrap
--variant=minbase bookworm`` from the apt mirror this machine is configured with, plus
Debian's python3 (3.11), pip and venv, without Debian's PEP 668 marker, and with
``python``/``pip`` in /usr/local/bin as in the official image. Making it takes a minute
or two, so it is saved as an archive under ``~/.cache/<project>/``, keyed on the recipe
and the ISO week (a stand-in from an earlier week is made again from the mirror's
current packages).

With a registry, ``--base registry`` pulls the official image instead.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from tools.images import engine

#: What ``FROM python:3.11-slim-bookworm`` resolves to (podman's short-name alias).
BASE_IMAGE = "docker.io/library/python:3.11-slim-bookworm"
PROJECT = "apprunner-cdk-constructs"
#: The stand-in's label: its cache key, so a stale stand-in is told from a current one.
RECIPE_LABEL = f"{PROJECT}.stand-in"

SUITE = "bookworm"
PACKAGES = ("python3", "python3-pip", "python3-venv", "ca-certificates", "netbase", "tzdata")
#: As in the official image: PATH puts /usr/local/bin first, LANG is C.UTF-8.
IMAGE_CHANGES = (
    "ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin",
    "ENV LANG=C.UTF-8",
    'CMD ["python3"]',
)
#: ``/usr/local/bin/<name>`` -> target, as the official image has them.
LINKS = {
    "python": "/usr/bin/python3",
    "python3": "/usr/bin/python3",
    "pip": "/usr/bin/pip3",
    "pip3": "/usr/bin/pip3",
}
#: Removed from the tree: Debian's PEP 668 marker (the official image has none, so the
#: Dockerfile's ``pip install`` works there), and apt's downloaded packages and lists.
REMOVE = (
    "usr/lib/python3*/EXTERNALLY-MANAGED",
    "var/cache/apt/archives/*.deb",
    "var/cache/apt/*.bin",
    "var/lib/apt/lists/*",
)

SOURCES_LIST = Path("/etc/apt/sources.list")
SOURCES_DIR = Path("/etc/apt/sources.list.d")
MIRROR_SCHEMES = ("http://", "https://", "file:/")


class BaseImageError(RuntimeError):
    """The base image cannot be made or fetched; the message says why."""


def recipe_key(today: datetime.date | None = None) -> str:
    """``<hash of the recipe>-<ISO year>W<week>``: a new key when the recipe changes or a
    week starts."""
    recipe = json.dumps([SUITE, "minbase", PACKAGES, IMAGE_CHANGES, LINKS, REMOVE])
    year, week, _ = (today or datetime.date.today()).isocalendar()
    return f"{hashlib.sha256(recipe.encode()).hexdigest()[:12]}-{year}W{week:02d}"


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/<project>`` (default ``~/.cache/<project>``): outside the
    checkout, so every fresh clone on this machine reuses it."""
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / PROJECT


def archive_path(key: str) -> Path:
    return cache_dir() / f"python-3.11-slim-bookworm-stand-in-{key}.tar"


# --- the machine's apt mirror ---------------------------------------------------------


def _deb822_entries(text: str) -> Iterable[tuple[list[str], list[str], list[str], list[str]]]:
    """(types, URIs, suites, components) of each enabled stanza of a ``.sources`` file."""
    for stanza in re.split(r"\n\s*\n", text):
        fields: dict[str, str] = {}
        name = ""
        for line in stanza.splitlines():
            if line.startswith("#") or not line.strip():
                continue
            if line[0].isspace() and name:  # a continuation line
                fields[name] += " " + line.strip()
                continue
            name, _, value = line.partition(":")
            name = name.strip().lower()
            fields[name] = value.strip()
        if fields.get("enabled", "yes").lower() == "no":
            continue
        yield (
            fields.get("types", "").split(),
            fields.get("uris", "").split(),
            fields.get("suites", "").split(),
            fields.get("components", "").split(),
        )


def _one_line_entries(text: str) -> Iterable[tuple[list[str], list[str], list[str], list[str]]]:
    """The same for a one-line-style ``sources.list``: ``deb [options] uri suite components``."""
    for line in text.splitlines():
        parts = re.sub(r"\[[^]]*\]", " ", line.split("#", 1)[0]).split()
        if len(parts) >= 3:
            yield [parts[0]], [parts[1]], [parts[2]], parts[3:]


def apt_mirror(sources_list: Path = SOURCES_LIST, sources_dir: Path = SOURCES_DIR) -> str:
    """The URI this machine's apt takes Debian ``bookworm main`` packages from."""
    files = [sources_list, *sorted(sources_dir.glob("*.list")), *sorted(sources_dir.glob("*.sources"))]
    for path in files:
        if not path.is_file():
            continue
        text = path.read_text(errors="replace")
        entries = _deb822_entries(text) if path.suffix == ".sources" else _one_line_entries(text)
        for types, uris, suites, components in entries:
            if "deb" in types and SUITE in suites and "main" in components:
                for uri in uris:
                    if uri.startswith(MIRROR_SCHEMES):
                        return uri
    raise BaseImageError(
        f"no apt source for Debian {SUITE} main in {sources_list} or {sources_dir}: "
        "the stand-in base is made from it (or use --base registry)"
    )


# --- making, caching and loading the stand-in ----------------------------------------


def _image_label(image: str, label: str) -> str | None:
    if not engine.image_exists(image):
        return None
    value = engine.run(["podman", "image", "inspect", "--format", f'{{{{index .Labels "{label}"}}}}', image])
    return value.strip() or None


def _debootstrap(rootfs: Path, mirror: str) -> None:
    if os.geteuid() != 0:
        raise BaseImageError("making the stand-in base needs root (debootstrap); or use --base registry")
    debootstrap = shutil.which("debootstrap") or shutil.which("debootstrap", path="/usr/sbin:/sbin")
    if debootstrap is None:
        raise BaseImageError("debootstrap not found: apt-get install debootstrap (.ci/run does)")
    command = [
        debootstrap,
        "--variant=minbase",
        f"--include={','.join(PACKAGES)}",
        SUITE,
        str(rootfs),
        mirror,
    ]
    done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        log = rootfs / "debootstrap" / "debootstrap.log"
        tail = log.read_text(errors="replace")[-2000:] if log.is_file() else done.stderr[-2000:]
        raise BaseImageError(f"debootstrap failed with exit code {done.returncode}:\n{tail}")


def _finish_tree(rootfs: Path) -> None:
    for pattern in REMOVE:
        for path in rootfs.glob(pattern):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
    local_bin = rootfs / "usr" / "local" / "bin"
    local_bin.mkdir(parents=True, exist_ok=True)
    for name, target in LINKS.items():
        (local_bin / name).unlink(missing_ok=True)
        (local_bin / name).symlink_to(target)


def make_stand_in(key: str, archive: Path) -> None:
    """debootstrap a tree, import it as ``BASE_IMAGE`` labelled with ``key``, save it to ``archive``."""
    mirror = apt_mirror()
    _log(f"making the stand-in {BASE_IMAGE} from Debian {SUITE} ({mirror}); a minute or two")
    with tempfile.TemporaryDirectory(prefix="stand-in-") as work:
        rootfs, tarball = Path(work) / "rootfs", Path(work) / "rootfs.tar"
        _debootstrap(rootfs, mirror)
        _finish_tree(rootfs)
        tar = shutil.which("tar") or "tar"
        subprocess.run([tar, "--numeric-owner", "-C", str(rootfs), "-cf", str(tarball), "."], check=True)
        changes = [*IMAGE_CHANGES, f"LABEL {RECIPE_LABEL}={key}"]
        engine.run(
            ["podman", "import", *[f"--change={change}" for change in changes], str(tarball), BASE_IMAGE]
        )
    archive.parent.mkdir(parents=True, exist_ok=True)
    partial = archive.with_suffix(".partial")
    engine.run(["podman", "save", "--format", "docker-archive", "--output", str(partial), BASE_IMAGE])
    partial.replace(archive)
    # Older archives of the stand-in (another recipe or week) are never loaded again.
    for old in archive.parent.glob("python-3.11-slim-bookworm-stand-in-*.tar"):
        if old != archive:
            old.unlink()


def ensure_stand_in(today: datetime.date | None = None) -> str:
    """``BASE_IMAGE`` as the current stand-in: kept if it is, else loaded from the cache
    archive, else made (and archived). Returns what was done."""
    key = recipe_key(today)
    if _image_label(BASE_IMAGE, RECIPE_LABEL) == key:
        return f"{BASE_IMAGE}: the stand-in {key} is current"
    earlier = stand_ins()
    archive = archive_path(key)
    done = ""
    if archive.is_file():
        engine.run(["podman", "load", "--input", str(archive)])
        if _image_label(BASE_IMAGE, RECIPE_LABEL) == key:
            done = f"{BASE_IMAGE}: the stand-in {key} loaded from {archive}"
        else:
            archive.unlink()  # not what its name says: make it again
    if not done:
        make_stand_in(key, archive)
        done = f"{BASE_IMAGE}: the stand-in {key} made and saved to {archive}"
    # The stand-in it replaced, unless images built on it still use it (make images-clean).
    for image in earlier:
        engine.run_unchecked(["podman", "rmi", image])
    return done


def pull_official() -> str:
    engine.run(["podman", "pull", BASE_IMAGE], capture=False)
    return f"{BASE_IMAGE}: pulled from the registry"


BASES = {"stand-in": ensure_stand_in, "registry": pull_official}


def ensure(kind: str) -> str:
    """Make ``BASE_IMAGE`` available locally: ``stand-in`` or ``registry``."""
    if kind not in BASES:
        raise BaseImageError(f"unknown base {kind!r}: use one of {', '.join(BASES)}")
    return BASES[kind]()


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def stand_ins() -> list[str]:
    """The ids of every stand-in this project made (any recipe or week), known by their
    label: the current one under ``BASE_IMAGE``, earlier ones nameless."""
    out = engine.run(
        ["podman", "images", "--all", "--filter", f"label={RECIPE_LABEL}", "--format", "{{.ID}}"]
    )
    return list(dict.fromkeys(out.split()))
