"""Redis down, unanswering, frozen, out of memory or read-only: 503 JSON with Retry-After by
the deadline; /healthz answers throughout and the app recovers."""

from __future__ import annotations

import contextlib

import pytest
import redis
from flask import Flask
from werkzeug.test import TestResponse

from tests.support import outage as outage_support
from tests.support.outage import OUTAGES, answers_while_healthz_answers, outage
from tests.support.users_redis import Backend, new_email
from tools.backends.process import free_port
from tools.backends.proxy import HoldingProxy
from tools.backends.redis import LocalRedis
from users_redis import create_app, settings, store


def assert_unavailable(response: TestResponse) -> None:
    outage_support.assert_unavailable(response, "user store unavailable, retry later")


#: The outages each backend can show: a proxy cannot stand in front of a cluster, whose
#: clients reach the nodes at the addresses the nodes announce.
CASES = [
    *(pytest.param("standalone", name, id=f"standalone-{name}") for name in OUTAGES),
    *(pytest.param("cluster", name, id=f"cluster-{name}") for name in OUTAGES if name != "unanswered"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("kind", "name"), CASES)
def test_outage_is_a_503_by_the_deadline_and_the_app_recovers(
    request: pytest.FixtureRequest, kind: str, name: str
) -> None:
    backend: Backend = request.getfixturevalue(kind)
    with contextlib.ExitStack() as stack:
        proxy = None
        config = backend.config
        if name == "unanswered":
            assert isinstance(backend.server, LocalRedis)
            proxy = stack.enter_context(HoldingProxy(backend.server.port))
            config = {settings.URL: f"redis://127.0.0.1:{proxy.port}"}
        app = create_app(config)
        email = new_email()
        assert app.test_client().post("/", json={"email": email, "name": "before"}).status_code == 200

        with outage(name, backend.server, proxy)():
            answers = answers_while_healthz_answers(
                app,
                [
                    lambda client: client.post("/", json={"email": email, "name": "during"}),
                    lambda client: client.get(f"/{email}"),
                ],
                within=2 * store.DEADLINE_SECONDS,
            )
        for response in answers:
            assert_unavailable(response)

        # Same app, same client object: pooled connections to the old server are replaced.
        client = app.test_client()
        assert client.post("/", json={"email": email, "name": "after"}).status_code == 200
        assert client.get(f"/{email}").get_json() == {"email": email, "name": "after"}


@pytest.mark.slow
def test_app_started_while_redis_is_down_connects_when_it_returns(backend: Backend) -> None:
    with backend.down():
        app: Flask = create_app(backend.config)
        client = app.test_client()
        assert client.get("/healthz").status_code == 200
        assert_unavailable(client.get(f"/{new_email()}"))

    email = new_email()
    assert client.post("/", json={"email": email, "name": "n"}).status_code == 200
    assert client.get(f"/{email}").get_json() == {"email": email, "name": "n"}


def test_redis_out_of_memory_is_unavailable_not_a_crash(standalone: Backend) -> None:
    client = create_app(standalone.config).test_client()
    admin = redis.Redis.from_url(standalone.config[settings.URL])
    admin.config_set("maxmemory-policy", "noeviction")
    admin.config_set("maxmemory", 1)
    try:
        assert_unavailable(client.post("/", json={"email": new_email(), "name": "x"}))
    finally:
        admin.config_set("maxmemory", 0)
        admin.close()


def test_a_read_only_replica_is_unavailable_not_a_crash(standalone: Backend) -> None:
    """As during a MemoryDB failover, when a write reaches a node that is now a replica."""
    client = create_app(standalone.config).test_client()
    admin = redis.Redis.from_url(standalone.config[settings.URL])
    admin.replicaof("127.0.0.1", free_port())  # no master there: it stays a read-only replica
    try:
        assert_unavailable(client.post("/", json={"email": new_email(), "name": "x"}))
    finally:
        admin.replicaof("NO", "ONE")
        admin.close()
    assert client.post("/", json={"email": new_email(), "name": "x"}).status_code == 200
