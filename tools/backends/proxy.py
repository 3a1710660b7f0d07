"""A TCP proxy on 127.0.0.1 that holds new connections before relaying them.

It stands for what a client meets between itself and a datastore: a paused Aurora
Serverless v2 cluster (its endpoint accepts the connection and answers only once the
instance has resumed), or, holding forever, a server or network that accepts
connections and then never answers.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Self

from tools.backends.process import LOCALHOST

_CHUNK = 64 * 1024


class HoldingProxy:
    """Listens on 127.0.0.1:``port`` and relays each connection to ``upstream_port`` after
    holding it ``hold`` seconds: the connection is accepted at once, but nothing it sends
    is read or forwarded until then. ``hold=None`` holds every connection until the
    proxy closes, and then ``upstream_port`` may be None (nothing behind it).

    ``hold`` may change while the proxy runs (it applies to connections accepted
    afterwards); ``drop_connections`` ends every connection it relays. Use it as a
    context manager.
    """

    def __init__(self, upstream_port: int | None, *, hold: float | None = 0.0) -> None:
        if upstream_port is None and hold is not None:
            raise ValueError("a proxy with nothing behind it must hold forever (hold=None)")
        self.upstream_port = upstream_port
        self.hold = hold
        self._listener = socket.create_server((LOCALHOST, 0))
        self.port: int = self._listener.getsockname()[1]
        self._closing = threading.Event()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self.accepted = 0

    def __enter__(self) -> Self:
        self._start(self._accept)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._closing.set()
        # shutdown, not just close: it is what wakes a thread blocked in accept.
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self.drop_connections()
        for thread in list(self._threads):
            thread.join(10)
        self._listener.close()

    def drop_connections(self) -> None:
        """End every connection accepted so far, on both sides (as a server that stops
        ends its sessions); connections accepted afterwards are relayed as before."""
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _start(self, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _track(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.add(sock)

    def _forget(self, *socks: socket.socket) -> None:
        with self._lock:
            for sock in socks:
                self._sockets.discard(sock)
                sock.close()

    def _accept(self) -> None:
        while True:
            try:
                downstream, _ = self._listener.accept()
            except OSError:  # shut down by __exit__
                return
            self.accepted += 1
            self._track(downstream)
            self._start(self._serve, downstream, self.hold)

    def _serve(self, downstream: socket.socket, hold: float | None) -> None:
        upstream: socket.socket | None = None
        try:
            if self._closing.wait(hold) or self.upstream_port is None:
                return
            upstream = socket.create_connection((LOCALHOST, self.upstream_port))
            self._track(upstream)
            _relay(downstream, upstream)
        except OSError:  # either side gone, or ended by drop_connections
            pass
        finally:
            self._forget(downstream, *([upstream] if upstream else []))


def _relay(one: socket.socket, other: socket.socket) -> None:
    """Copy bytes both ways until either side closes."""
    peers = {one: other, other: one}
    with selectors.DefaultSelector() as selector:
        for sock in peers:
            selector.register(sock, selectors.EVENT_READ)
        while True:
            for key, _ in selector.select():
                source: socket.socket = key.fileobj  # type: ignore[assignment]
                data = source.recv(_CHUNK)
                if not data:
                    return
                peers[source].sendall(data)
