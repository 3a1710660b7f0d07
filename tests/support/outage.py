"""Datastore outages against the real local servers, and what every app must do through
them: answer 503 with ``Retry-After`` by its deadline, keep ``/healthz`` answering,
and recover on its own once the datastore is back.

The outages a client meets on AWS (a failover, a network partition, an overloaded or
paused node), as each local backend can show them:

- ``refused``: the server is stopped; connections are refused.
- ``unanswered``: connections are accepted but nothing comes back (a partition that
  drops packets, a node that hangs); a ``HoldingProxy`` in front of the server.
- ``frozen``: the server process is stopped with SIGSTOP. Its kernel still accepts
  connections and acknowledges what is sent, so TCP keepalives and
  ``tcp_user_timeout`` never fire: only the client's own timeouts end the wait.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tools.backends.process import ServerLifecycle
from tools.backends.proxy import HoldingProxy

#: The names of the outages, for ``pytest.mark.parametrize``.
OUTAGES = ("refused", "unanswered", "frozen")

Outage = Callable[[], AbstractContextManager[None]]
Call = Callable[[FlaskClient], TestResponse]


@contextmanager
def refused(server: ServerLifecycle) -> Iterator[None]:
    """``server`` stopped for the block, then started again on the same port."""
    server.stop()
    try:
        yield
    finally:
        server.start()


@contextmanager
def unanswered(proxy: HoldingProxy) -> Iterator[None]:
    """The connections through ``proxy`` dropped, and new ones held unanswered for the
    block; afterwards the proxy relays again."""
    proxy.hold = None
    proxy.drop_connections()
    try:
        yield
    finally:
        proxy.hold = 0.0


def outage(name: str, server: ServerLifecycle, proxy: HoldingProxy | None = None) -> Outage:
    """The outage called ``name`` (one of ``OUTAGES``) of ``server``; ``unanswered``
    acts on ``proxy``, which must stand in front of ``server``."""
    if name == "refused":
        return lambda: refused(server)
    if name == "frozen":
        return server.frozen
    assert name == "unanswered" and proxy is not None, f"no outage {name!r} without a proxy"
    return lambda: unanswered(proxy)


def answers_while_healthz_answers(app: Flask, calls: Sequence[Call], *, within: float) -> list[TestResponse]:
    """Make ``calls`` at once, each with a test client of its own in a thread of its own,
    and check that ``/healthz`` answers 200 all the while; return their responses.

    Fails the test if one has not answered after ``within`` seconds: a generous "does
    not hang" bound (a stuck request would wait for minutes, or for ever), not a
    measurement.
    """
    answers: dict[int, TestResponse | BaseException] = {}

    def make(index: int, call: Call) -> None:
        try:
            answers[index] = call(app.test_client())
        except BaseException as error:  # reported below, in the test's own thread
            answers[index] = error

    # Daemon threads: a request that hangs must not keep pytest from exiting.
    threads = [threading.Thread(target=make, args=item, daemon=True) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    healthz = app.test_client()
    give_up = time.monotonic() + within
    while any(thread.is_alive() for thread in threads):
        assert time.monotonic() < give_up, f"requests still waiting on the datastore after {within} s"
        response = healthz.get("/healthz")
        assert response.status_code == 200, response.get_data(as_text=True)
        time.sleep(0.1)
    responses = []
    for index in range(len(calls)):
        answer = answers[index]
        if isinstance(answer, BaseException):
            raise answer
        responses.append(answer)
    return responses


def assert_unavailable(response: TestResponse, error: str) -> None:
    """A 503 with ``{"error": error}`` and a positive ``Retry-After``."""
    body: Any = response.get_json(silent=True)
    assert response.status_code == 503, response.get_data(as_text=True)
    assert body == {"error": error}
    assert int(response.headers["Retry-After"]) > 0
