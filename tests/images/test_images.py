"""Each image ``make images`` built, run with podman on the host's network with the
environment its stack sets, against the app's real local backend on free ports."""

from __future__ import annotations

import contextlib
import importlib
import json
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.images import Backends, built_images
from tools import dev
from tools.backends.process import free_port
from tools.images import assets, base, engine
from tools.images.container import Container, container_env
from tools.local_http import request

pytestmark = pytest.mark.slow

#: The Dockerfile's user.
APP_UID = 10001
#: A first request opens the app's backend client: generous on a slow host.
REQUEST_TIMEOUT = 15.0
#: ``podman stop``'s grace period, the issue's "well within 10 s".
STOP_TIMEOUT = 10
#: Generous bound for "the container ends" (a hang, not a speed, is what fails).
EXIT_WAIT_S = 30.0


@contextlib.contextmanager
def serving(image: assets.ImageAsset, backends: Backends, label: str) -> Iterator[Container]:
    """A container of ``image`` once it answers ``/healthz``; removed afterwards."""
    assert image.app is not None, f"{image.asset_id} is not built from the apps' Dockerfile"
    app = dev.find_app(image.app)
    env = container_env(app, backends.env(app), free_port())
    stack_env: frozenset[str] = importlib.import_module(f"{app.package}.settings").STACK_ENV
    assert stack_env <= env.keys(), f"{app.package} would start without {sorted(stack_env - env.keys())}"
    with Container(image.image, env, label=f"{app.package}-{label}") as container:
        container.wait_for_ok()
        yield container


@pytest.fixture(scope="module")
def running(built: assets.ImageAsset, backends: Backends) -> Iterator[Container]:
    """One container of the image for the checks that leave it running."""
    with serving(built, backends, "test") as container:
        yield container


def call(container: Container, method: str, path: str, body: Any = None, *, status: int = 200) -> Any:
    code, headers, payload = request(container.port, method, path, body, timeout=REQUEST_TIMEOUT)
    assert code == status, f"{method} {path}: {code} {payload[:300]!r}\n{container.logs()[-4000:]}"
    if headers.get("Content-Type", "").startswith("application/json"):
        return json.loads(payload)
    return payload


# --- each app's session, as its README section walks it ---------------------------


def _shortener(container: Container) -> None:
    url = "https://example.com/from-the-image"
    code = call(container, "POST", "/", {"url": url})["ShortCode"]
    status, headers, _ = request(container.port, "GET", f"/{code}", timeout=REQUEST_TIMEOUT)
    assert (status, headers.get("Location")) == (302, url)


def _users(container: Container) -> None:
    user = {"email": "image@example.com", "name": "Image"}
    call(container, "POST", "/", user)
    assert call(container, "GET", "/image@example.com") == user


def _todo(container: Container) -> None:
    task = call(container, "POST", "/api/v1/tasks", {"title": "from the image"}, status=201)
    assert task["id"] in [listed["id"] for listed in call(container, "GET", "/api/v1/tasks")]
    updated = call(container, "PUT", f"/api/v1/tasks/{task['id']}", {"completed": True})
    assert (updated["title"], updated["completed"]) == ("from the image", True)
    call(container, "DELETE", f"/api/v1/tasks/{task['id']}", status=204)
    call(container, "GET", f"/api/v1/tasks/{task['id']}", status=404)


def _chaos(container: Container) -> None:
    assert b"Hello" in call(container, "GET", "/")
    written = call(container, "GET", "/dynamodb/write")["item"]
    assert written["sk"] in [item["sk"] for item in call(container, "GET", "/dynamodb/read")["items"]]


SESSIONS: dict[str, Callable[[Container], None]] = {
    "shortener": _shortener,
    "users_redis": _users,
    "todo_postgres": _todo,
    "chaos": _chaos,
}


def test_every_app_has_an_image_and_a_session() -> None:
    assert {asset.app for asset in built_images()} == set(SESSIONS)


def test_answers_healthz_and_runs_its_session(running: Container, built: assets.ImageAsset) -> None:
    assert call(running, "GET", "/healthz") == {"status": "ok"}
    SESSIONS[str(built.app)](running)


# --- the user, the files --------------------------------------------------------------


def _run_python(container: Container, code: str) -> str:
    done = container.exec(["python", "-c", code])
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_serves_as_its_own_user_with_a_home(running: Container) -> None:
    status = running.exec(["cat", "/proc/1/status"]).stdout
    ids = {
        line.split(":")[0]: line.split()[1:]
        for line in status.splitlines()
        if line.startswith(("Uid", "Gid"))
    }
    assert ids == {"Uid": [str(APP_UID)] * 4, "Gid": [str(APP_UID)] * 4}
    home = _run_python(running, "import os; h = os.path.expanduser('~'); print(h, os.path.isdir(h))")
    assert home.split() == ["/home/app", "True"]


def test_cannot_write_its_code(running: Container, built: assets.ImageAsset) -> None:
    """Not /srv, nor any directory under it (the app's, common/, their __pycache__)."""
    out = _run_python(
        running,
        "import pathlib\n"
        "srv = pathlib.Path('/srv')\n"
        "directories = [srv, *(path for path in srv.rglob('*') if path.is_dir())]\n"
        "print(*(path for path in directories), sep='\\n')\n"
        "for path in directories:\n"
        "    try:\n"
        "        (path / 'probe').touch(exist_ok=False)\n"
        "        print('written', path)\n"
        "    except PermissionError:\n"
        "        pass\n",
    )
    assert {"/srv", f"/srv/{built.app}", "/srv/common"} <= set(out.split())
    assert "written" not in out


def test_every_module_of_the_app_is_compiled(running: Container) -> None:
    """No import compiles at start-up: every ``.py`` under /srv has bytecode that is
    current for it (the source's size and mtime are in the ``.pyc`` header)."""
    stale = _run_python(
        running,
        "import importlib.util, pathlib\n"
        "for source in sorted(pathlib.Path('/srv').rglob('*.py')):\n"
        "    cached = pathlib.Path(importlib.util.cache_from_source(str(source)))\n"
        "    stat = source.stat()\n"
        "    header = cached.read_bytes()[8:16] if cached.is_file() else b''\n"
        "    current = (int(stat.st_mtime) & 0xFFFFFFFF).to_bytes(4, 'little')\n"
        "    current += (stat.st_size & 0xFFFFFFFF).to_bytes(4, 'little')\n"
        "    if header != current:\n"
        "        print(source)\n",
    )
    assert stale == ""


def _sha256(container: Container, path: str) -> str:
    return _run_python(
        container, f"import hashlib; print(hashlib.sha256(open({path!r}, 'rb').read()).hexdigest())"
    ).strip()


def test_no_host_configuration_is_baked_in(running: Container) -> None:
    """The host's CA bundle and pip configuration reach the build's RUN steps as volumes:
    the image has the base's bundle, and at most the empty file buildah leaves as the
    pip configuration's mount point."""
    pip_config = _run_python(
        running, "import os; p = '/etc/pip.conf'; print(os.path.getsize(p) if os.path.exists(p) else 0)"
    )
    assert pip_config.strip() == "0"
    base_bundle = engine.run(
        ["podman", "run", "--rm", "--network", "none", base.BASE_IMAGE, "sha256sum", engine.IMAGE_CA_BUNDLE]
    ).split()[0]
    assert _sha256(running, engine.IMAGE_CA_BUNDLE) == base_bundle


# --- stopping, crashing -----------------------------------------------------------------


def test_podman_stop_ends_it_cleanly(built: assets.ImageAsset, backends: Backends) -> None:
    """SIGTERM: gunicorn finishes and exits 0. Had it not ended within the 10 s, podman
    would have killed it (exit code 137)."""
    with serving(built, backends, "stop") as container:
        began = time.monotonic()
        code = container.stop(STOP_TIMEOUT)
        elapsed = time.monotonic() - began
        assert code == 0, f"exit code {code} after {elapsed:.1f} s\n{container.logs()[-4000:]}"


@pytest.fixture
def chaos(backends: Backends) -> Iterator[Container]:
    (image,) = [asset for asset in built_images() if asset.app == "chaos"]
    with serving(image, backends, "crash") as container:
        yield container


def _replaced_after_exit(logs: str) -> bool:
    """Whether gunicorn booted a worker after one exited with code 1 (``/exit``). Counting
    boots instead would race the other workers' first boots, which the master staggers."""
    exited = logs.rfind("exited with code 1")
    return exited >= 0 and "Booting worker" in logs[exited:]


def test_chaos_survives_exit_and_panic(chaos: Container) -> None:
    """``/panic`` fails one request; ``/exit`` ends one worker and the master starts another."""
    assert call(chaos, "GET", "/panic", status=500) == {"error": "internal server error"}
    with pytest.raises((OSError, ConnectionError)):
        request(chaos.port, "GET", "/exit", timeout=REQUEST_TIMEOUT)
    deadline = time.monotonic() + EXIT_WAIT_S
    while not _replaced_after_exit(chaos.logs()) and time.monotonic() < deadline:
        time.sleep(0.1)
    logs = chaos.logs()
    assert _replaced_after_exit(logs), logs[-4000:]
    chaos.wait_for_ok(timeout=EXIT_WAIT_S)
    assert chaos.running()


def test_chaos_container_scope_ends_the_container(chaos: Container) -> None:
    with pytest.raises((OSError, ConnectionError)):
        request(chaos.port, "GET", "/exit?scope=container", timeout=REQUEST_TIMEOUT)
    assert chaos.wait_until_exited(EXIT_WAIT_S), chaos.logs()[-4000:]


# --- the images together -------------------------------------------------------------


def _instructions(dockerfile: Path) -> list[str]:
    """The Dockerfile's instructions in order, continuation lines joined."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text())
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _layers(image: str) -> list[str]:
    layers: list[str] = json.loads(
        engine.run(["podman", "image", "inspect", "--format", "{{json .RootFS.Layers}}", image])
    )
    return layers


def test_the_images_share_every_layer_before_their_apps_own() -> None:
    """Every step above ``ARG APP`` (the user, common's requirements and code) is one
    layer that all the images share: only the app's own requirements and package differ."""
    found = [asset for asset in built_images() if asset.app]
    steps = _instructions(found[0].directory / (found[0].dockerfile or "Dockerfile"))
    shared_steps = [
        step for step in steps[: steps.index("ARG APP")] if step.split()[0] in ("RUN", "COPY", "ADD")
    ]
    assert len(shared_steps) >= 4, steps
    layers = [_layers(asset.image) for asset in found]
    base_layers = _layers(base.BASE_IMAGE)
    shared = 0
    while all(len(image) > shared for image in layers) and len({image[shared] for image in layers}) == 1:
        shared += 1
    assert layers[0][: len(base_layers)] == base_layers
    assert shared == len(base_layers) + len(shared_steps)
