"""Concurrent shortening on dynalite: every acknowledged code resolves to its URL."""

from __future__ import annotations

from flask import Flask

from tests.apps.api_checks import WRITES_PER_WRITER, run_writers


def test_every_acknowledged_code_resolves(app: Flask) -> None:
    clients = [app.test_client() for _ in range(8)]

    def shorten(writer: int, n: int) -> tuple[str, str] | None:
        url = f"https://example.com/{writer}/{n}"
        response = clients[writer].post("/", json={"url": url})
        assert response.status_code < 500, response.get_data(as_text=True)
        return (response.get_json()["ShortCode"], url) if response.status_code == 200 else None

    links = run_writers(shorten, writers=len(clients))

    # Healthy backends: every write is acknowledged, none refused.
    assert len(links) == len(clients) * WRITES_PER_WRITER
    assert len({code for code, _ in links}) == len(links)
    client = app.test_client()
    for code, url in links:
        response = client.get(f"/{code}")
        assert (response.status_code, response.headers.get("Location")) == (302, url)
