"""``tools.images`` without a container engine: what it reads from the cloud assembly and
the apt sources, the build it derives, the stand-in's cache key, the container's
environment. ``tests/images/`` runs the real images (``make test-images``)."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tools import REPO_ROOT, dev
from tools.bench import containers
from tools.images import assets, base, ca_bundle, engine
from tools.images.container import Container, container_env


def _image_entry(directory: str, **source: Any) -> dict[str, Any]:
    return {"displayName": "x", "source": {"directory": directory, **source}, "destinations": {}}


def _assembly(tmp_path: Path, manifests: dict[str, dict[str, Any]]) -> Path:
    for stack, images in manifests.items():
        for entry in images.values():
            (tmp_path / entry["source"]["directory"]).mkdir(exist_ok=True)
        document = {"version": "55.0.0", "files": {}, "dockerImages": images}
        (tmp_path / f"{stack}.assets.json").write_text(json.dumps(document))
    return tmp_path


def test_each_image_asset_once_with_the_stacks_that_use_it(tmp_path: Path) -> None:
    shared = _image_entry("asset.abc", dockerFile="Dockerfile", dockerBuildArgs={"APP": "chaos"})
    other = _image_entry("asset.def", dockerBuildArgs={"APP": "shortener"}, platform="linux/amd64")
    assembly = _assembly(tmp_path, {"One": {"ABC": shared}, "Two": {"ABC": shared, "def": other}})
    found = {asset.asset_id: asset for asset in assets.image_assets(assembly)}
    assert sorted(found) == ["ABC", "def"]
    assert found["ABC"].stacks == ("One", "Two")
    assert (found["ABC"].directory, found["ABC"].app) == (assembly / "asset.abc", "chaos")
    assert found["def"].platform == "linux/amd64"


def test_the_build_has_the_cli_options_and_tag(tmp_path: Path) -> None:
    entry = _image_entry(
        "asset.abc",
        dockerFile="Dockerfile",
        dockerBuildArgs={"APP": "chaos", "B": "2"},
        dockerBuildTarget="final",
        platform="linux/amd64",
        cacheDisabled=True,
    )
    (asset,) = assets.image_assets(_assembly(tmp_path, {"S": {"AbC1": entry}}))
    assert asset.tag == "cdkasset-abc1"
    assert asset.image == "localhost/cdkasset-abc1:latest"
    assert asset.build_args_for(["--layers"]) == [
        "build", "--tag", "cdkasset-abc1", "--build-arg", "APP=chaos", "--build-arg", "B=2",
        "--target", "final", "--file", "Dockerfile", "--platform", "linux/amd64", "--no-cache",
        "--layers", ".",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "source",
    [{"dockerBuildSecrets": {"a": "b"}}, {"networkMode": "host"}, {"executable": ["make-image"]}],
)
def test_an_option_the_cli_would_use_differently_is_refused(tmp_path: Path, source: dict[str, Any]) -> None:
    assembly = _assembly(tmp_path, {"S": {"abc": _image_entry("asset.abc", **source)}})
    with pytest.raises(assets.AssetError, match=next(iter(source))):
        assets.image_assets(assembly)


def test_an_assembly_without_images_or_staged_directory_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(assets.AssetError, match="make synth"):
        assets.image_assets(tmp_path)
    assembly = _assembly(tmp_path, {"S": {"abc": _image_entry("asset.abc")}})
    (assembly / "asset.abc").rmdir()
    with pytest.raises(assets.AssetError, match="make synth"):
        assets.image_assets(assembly)


# --- the machine's apt mirror ----------------------------------------------------------

DEB822 = """\
Types: deb
URIs: http://mirror.invalid/debian-security
Suites: bookworm-security
Components: main

Types: deb-src
URIs: http://src.invalid/debian
Suites: bookworm
Components: main

Enabled: no
Types: deb
URIs: http://disabled.invalid/debian
Suites: bookworm
Components: main

Types: deb
# a comment inside the stanza
URIs: http://mirror.invalid/debian
Suites: bookworm bookworm-updates
Components: main contrib
"""


def test_the_mirror_is_the_enabled_bookworm_main_binary_source(tmp_path: Path) -> None:
    (tmp_path / "debian.sources").write_text(DEB822)
    assert base.apt_mirror(tmp_path / "sources.list", tmp_path) == "http://mirror.invalid/debian"


def test_the_mirror_from_a_one_line_sources_list(tmp_path: Path) -> None:
    sources_list = tmp_path / "sources.list"
    sources_list.write_text(
        "# deb http://commented.invalid/debian bookworm main\n"
        "deb http://mirror.invalid/debian bookworm-updates main\n"
        "deb [arch=amd64 signed-by=/k.gpg] http://mirror.invalid/debian bookworm main\n"
    )
    assert base.apt_mirror(sources_list, tmp_path) == "http://mirror.invalid/debian"


def test_no_bookworm_source_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "other.sources").write_text(
        "Types: deb\nURIs: http://x.invalid/\nSuites: trixie\nComponents: main\n"
    )
    with pytest.raises(base.BaseImageError, match="bookworm main"):
        base.apt_mirror(tmp_path / "sources.list", tmp_path)


# --- the stand-in's cache key ----------------------------------------------------------


def test_the_cache_key_changes_with_the_iso_week_only() -> None:
    monday, sunday, next_monday = (
        datetime.date(2026, 11, 30),
        datetime.date(2026, 12, 6),
        datetime.date(2026, 12, 7),
    )
    assert base.recipe_key(monday) == base.recipe_key(sunday)
    assert base.recipe_key(monday) != base.recipe_key(next_monday)
    assert base.recipe_key(monday).endswith("-2026W49")


def test_the_cache_lives_outside_the_checkout(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    key = base.recipe_key()
    assert base.archive_path(key).parent == tmp_path / base.PROJECT
    assert key in base.archive_path(key).name
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert REPO_ROOT not in base.archive_path(key).parents


# --- what a build and a container are given -------------------------------------------


def test_builds_get_the_hosts_ca_bundle_and_pip_configuration_if_present(tmp_path: Path) -> None:
    bundle, pip_config = tmp_path / "ca.pem", tmp_path / "pip.conf"
    bundle.write_text("certificates")
    environ = {"SSL_CERT_FILE": str(bundle), "PIP_CONFIG_FILE": str(pip_config)}
    assert engine.build_mounts(environ) == ["-v", f"{bundle}:{engine.IMAGE_CA_BUNDLE}:ro"]
    pip_config.write_text("[global]\n")
    assert engine.build_mounts(environ)[2:] == ["-v", f"{pip_config}:{engine.IMAGE_PIP_CONFIG}:ro"]


def test_every_engine_command_gets_the_projects_containers_conf() -> None:
    assert engine.environment({"PATH": "/bin"}) == {
        "PATH": "/bin",
        "CONTAINERS_CONF": str(engine.CONTAINERS_CONF),
    }
    conf = engine.CONTAINERS_CONF.read_text()
    assert 'runtime = "runc"' in conf
    assert 'default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]' in conf


@pytest.mark.parametrize("app", dev.APPS, ids=[app.name for app in dev.APPS])
def test_a_container_gets_its_stack_env_and_listens_on_localhost_only(app: dev.DevApp) -> None:
    env = container_env(app, {"BACKEND": "x"}, 18080)
    assert env["PORT"] == "18080"
    assert env["GUNICORN_CMD_ARGS"] == "--bind 127.0.0.1:18080"
    assert dict(app.env).items() <= env.items()
    assert env["BACKEND"] == "x"


@pytest.mark.slow
def test_make_test_leaves_the_image_tests_out() -> None:
    command = [sys.executable, "-m", "pytest", "--collect-only", "-q", "tests/images"]
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=False)
    # pytest's exit code 5: no tests collected.
    assert done.returncode == 5, done.stdout[-2000:]


def test_bench_says_why_a_container_cold_start_was_not_measured(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CDK_OUT", str(tmp_path))  # an assembly with no image
    measured = containers.measure(dev.find_app("chaos"), {}, runs=2)
    assert measured.samples_ms == []
    assert "make synth" in measured.missing
    assert containers.report_cells(True, measured) == ("not measured", measured.missing)
    assert containers.report_cells(False, measured) == ("-", "-")
    assert containers.report_cells(True, containers.ContainerColdStarts([300.0, 100.0, 200.0])) == (
        "200",
        "300 100 200",
    )


def test_the_image_keeps_the_rds_bundle_where_todo_looks_for_it() -> None:
    from todo_postgres import settings

    assert ca_bundle.IMAGE_PATH == settings.DEFAULT_CA_FILE
    dockerfile = (REPO_ROOT / "apps" / "Dockerfile").read_text()
    assert f"ADD --chmod=644 ${{{ca_bundle.BUILD_ARG}}} {ca_bundle.IMAGE_PATH}" in dockerfile
    assert (
        f"ARG {ca_bundle.BUILD_ARG}=https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem"
        in dockerfile
    )


def test_the_stand_in_bundle_is_served_on_loopback(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\nstand-in\n-----END CERTIFICATE-----\n")
    with ca_bundle.served(bundle) as url:
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url, timeout=5) as reply:
            assert reply.read() == bundle.read_bytes()


def test_a_host_ca_file_is_mounted_over_the_image_bundle() -> None:
    container = Container("image", {"PORT": "18080", "DB_CA_FILE": "/tmp/test-ca.pem", "X": "1"})
    assert "DB_CA_FILE" not in container.env
    assert container.files == {"/tmp/test-ca.pem": ca_bundle.IMAGE_PATH}
