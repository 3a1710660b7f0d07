"""In-process tests: nothing here may reach an endpoint that ends the process."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import NotFound

from chaos import create_app
from chaos.crash import MASTER_HEADROOM_MB, worker_share_mb
from common.environment import SettingsError

CRASH_PATHS = ("/panic", "/exit", "/fatal", "/use-all-memory")


def test_home_is_the_articles_page(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "<title>Hello</title>" in response.text
    assert "<h1>World</h1>" in response.text


def test_healthz(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_panic_is_a_json_500_and_the_app_keeps_serving(client: FlaskClient) -> None:
    response = client.get("/panic")
    assert response.status_code == 500
    assert response.get_json() == {"error": "internal server error"}
    assert client.get("/").status_code == 200


def test_crash_endpoints_exist_when_enabled(app: Flask) -> None:
    get_routes = {rule.rule for rule in app.url_map.iter_rules() if "GET" in (rule.methods or ())}
    assert get_routes >= set(CRASH_PATHS)


@pytest.mark.usefixtures("chaos_env")
def test_crash_endpoints_are_404_when_disabled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAOS_ENABLED", "false")
    app = create_app({"TESTING": True})
    adapter = app.url_map.bind("localhost")
    client = app.test_client()
    for path in CRASH_PATHS:
        # Checked on the route table first: were the flag ignored, the request would end pytest.
        with pytest.raises(NotFound):
            adapter.match(path, method="GET")
        response = client.get(path)
        assert response.status_code == 404
        assert response.is_json and "error" in response.get_json()
    assert client.get("/").status_code == 200


def test_environment_is_read_by_the_factory_not_at_import(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TABLE_NAME", raising=False)
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    with pytest.raises(SettingsError, match="TABLE_NAME"):
        create_app()


@pytest.mark.usefixtures("chaos_env")
def test_config_overrides_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAOS_ENABLED", "false")
    app = create_app({"CHAOS_ENABLED": True, "MEMORY_CHUNK_MB": 16})
    assert app.config["MEMORY_CHUNK_MB"] == 16
    assert app.test_client().get("/panic").status_code == 500


@pytest.mark.parametrize(
    ("instance_mb", "workers", "share_mb"),
    [(2048, 1, 1920), (2048, 2, 960), (512, 4, 96), (100, 2, 0)],
)
def test_each_worker_is_capped_at_its_share_of_the_instance(
    instance_mb: int, workers: int, share_mb: int
) -> None:
    """What the master's headroom leaves, split evenly: all workers out of memory at once
    still fit the instance."""
    assert worker_share_mb(instance_mb, workers) == share_mb
    assert share_mb * workers + MASTER_HEADROOM_MB <= max(instance_mb, MASTER_HEADROOM_MB)
