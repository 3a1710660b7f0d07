"""The outages the local backends can show the apps: a holding proxy, and a frozen server."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from tests.support.processes import running
from tools.backends.process import LOCALHOST
from tools.backends.proxy import HoldingProxy
from tools.backends.redis import LocalRedis


@pytest.fixture(scope="module")
def echo() -> Iterator[LocalRedis]:
    """A real server that answers at once (redis-server: PING -> +PONG)."""
    with LocalRedis() as server:
        yield server


def ping(port: int, timeout: float) -> bytes:
    with socket.create_connection((LOCALHOST, port), timeout=timeout) as conn:
        conn.sendall(b"PING\r\n")
        return conn.recv(64)


def test_a_proxy_that_holds_nothing_relays_both_ways(echo: LocalRedis) -> None:
    with HoldingProxy(echo.port) as proxy:
        assert ping(proxy.port, timeout=5) == b"+PONG\r\n"
        assert proxy.accepted == 1


def test_a_held_connection_is_accepted_at_once_and_answered_after_the_hold(echo: LocalRedis) -> None:
    # Accepted: the connect succeeds, but nothing comes back before the hold ends.
    with (
        HoldingProxy(echo.port, hold=0.5) as proxy,
        socket.create_connection((LOCALHOST, proxy.port), timeout=5) as conn,
    ):
        conn.sendall(b"PING\r\n")
        conn.settimeout(0.2)
        with pytest.raises(TimeoutError):
            conn.recv(64)
        conn.settimeout(5)
        assert conn.recv(64) == b"+PONG\r\n"


def test_holding_forever_never_answers_and_dropping_ends_the_connections(echo: LocalRedis) -> None:
    with HoldingProxy(echo.port) as proxy, socket.create_connection((LOCALHOST, proxy.port)) as relayed:
        relayed.sendall(b"PING\r\n")
        assert relayed.recv(64) == b"+PONG\r\n"
        proxy.hold = None
        proxy.drop_connections()
        relayed.settimeout(5)
        assert relayed.recv(64) == b"", "a dropped connection ends"
        with pytest.raises(TimeoutError):
            ping(proxy.port, timeout=0.3)
        proxy.hold = 0.0
        assert ping(proxy.port, timeout=5) == b"+PONG\r\n"


def test_a_proxy_with_nothing_behind_it_must_hold_forever() -> None:
    with pytest.raises(ValueError, match="hold forever"):
        HoldingProxy(None, hold=1.0)
    with HoldingProxy(None, hold=None) as proxy, pytest.raises(TimeoutError):
        ping(proxy.port, timeout=0.3)


def test_a_frozen_server_accepts_connections_answers_nothing_and_thaws(echo: LocalRedis) -> None:
    (pid,) = echo.pids()
    with echo.frozen():
        assert running(pid)
        with pytest.raises(TimeoutError):
            ping(echo.port, timeout=0.3)  # connected through the kernel's backlog, then silence
    assert ping(echo.port, timeout=5) == b"+PONG\r\n"


def test_a_stopped_server_cannot_be_frozen() -> None:
    with pytest.raises(RuntimeError, match="not running"), LocalRedis().frozen():
        pass
