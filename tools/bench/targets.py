"""What ``make bench`` measures: the apps (and the hello-world baseline), how each is
seeded, and the hot paths it is driven on."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tools import dev, local_http

BASELINE = "baseline"


@dataclass(frozen=True)
class HotPath:
    label: str
    method: str
    path: str
    expected_status: int
    #: ``{n}`` becomes the request's number (see tools.bench.load).
    body: str = ""


def _created(port: int, path: str, body: object) -> bytes:
    status, _, answer = local_http.request(port, "POST", path, body)
    if status not in (200, 201):
        raise RuntimeError(f"seeding POST {path} answered {status}: {answer[:200]!r}")
    return answer


def _shortener(port: int) -> tuple[HotPath, ...]:
    code = json.loads(_created(port, "/", {"url": "https://example.com/bench"}))["ShortCode"]
    return (
        HotPath("GET /<code>", "GET", f"/{code}", 302),
        HotPath("POST /", "POST", "/", 200, '{"url": "https://example.com/{n}"}'),
    )


def _users(port: int) -> tuple[HotPath, ...]:
    _created(port, "/", {"email": "bench@example.com", "name": "Bench"})
    return (
        HotPath("GET /<email>", "GET", "/bench@example.com", 200),
        HotPath("POST /", "POST", "/", 200, '{"email": "user{n}@example.com", "name": "User {n}"}'),
    )


#: Tasks seeded, and the page size GET asks for: every GET answers this many, however
#: many tasks the POST path, measured in between (``schedule``), has added.
TODO_PAGE = 20


def _todo(port: int) -> tuple[HotPath, ...]:
    for number in range(TODO_PAGE):
        _created(port, "/api/v1/tasks", {"title": f"task {number}"})
    listing = f"/api/v1/tasks?limit={TODO_PAGE}"
    return (
        HotPath(f"GET {listing}", "GET", listing, 200),
        HotPath("POST /api/v1/tasks", "POST", "/api/v1/tasks", 201, '{"title": "bench {n}"}'),
    )


def _home(port: int) -> tuple[HotPath, ...]:
    return (HotPath("GET /", "GET", "/", 200),)


@dataclass(frozen=True)
class Target:
    name: str
    #: None for the baseline, which has no backend and is not in tools.dev.
    app: dev.DevApp | None
    health_path: str
    #: Seeds the running server with what the hot paths read; returns them.
    hot_paths: Callable[[int], tuple[HotPath, ...]]
    #: The server's command line (it listens on ``PORT``); empty: gunicorn with the image's config.
    command: tuple[str, ...] = ()


TARGETS = (
    Target(BASELINE, None, "/", _home),
    Target("shortener", dev.find_app("shortener"), "/healthz", _shortener),
    Target("users-redis", dev.find_app("users-redis"), "/healthz", _users),
    Target("todo-postgres", dev.find_app("todo-postgres"), "/healthz", _todo),
    Target("chaos", dev.find_app("chaos"), "/healthz", _home),
)
#: The article's Go app (``tools.bench.go_peer``), measured side by side with our shortener.
GO_PEER = "go-shortener"
#: Our app the Go peer is compared with: the same backend, table and hot paths.
GO_PEER_OF = "shortener"


def go_peer(binary: Path) -> Target:
    return Target(GO_PEER, dev.find_app(GO_PEER_OF), "/healthz", _shortener, (str(binary),))


#: The --server-configs hot path without --apps: a backend round trip, like most of the
#: apps' traffic.
REPRESENTATIVE = "users-redis"


def target(name: str) -> Target:
    return next(t for t in TARGETS if t.name == name)
