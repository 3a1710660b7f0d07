"""TCP proxies on 127.0.0.1 that stand for what a client meets between itself and a
datastore.

``HoldingProxy`` holds new connections before relaying them: a paused Aurora Serverless
v2 cluster (its endpoint accepts the connection and answers only once the instance has
resumed), or, holding forever, a server or network that accepts connections and then
never answers. ``TcpProxy`` is the part every such proxy shares.
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


class TcpProxy:
    """Listens on 127.0.0.1:``port``; each connection is served by ``serve`` in a thread of
    its own. ``drop_connections`` and leaving the ``with`` block end every connection
    accepted so far, on both sides.

    A subclass's ``serve`` passes the upstream sockets it opens to ``track``, so that they
    are ended too.
    """

    def __init__(self) -> None:
        self._listener = socket.create_server((LOCALHOST, 0))
        self.port: int = self._listener.getsockname()[1]
        self._closing = threading.Event()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self.accepted = 0

    def serve(self, downstream: socket.socket) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self._start(self._accept)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._closing.set()
        # shutdown, not just close: it is what wakes a thread blocked in accept or recv.
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._threads[0].join(10)  # the listener's: no connection is added after it
        self.drop_connections()
        for thread in list(self._threads):
            thread.join(10)
        self._listener.close()

    def drop_connections(self) -> None:
        """End every connection accepted so far, on both sides (as a server that stops
        ends its sessions); connections accepted afterwards are served as before."""
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def track(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.add(sock)

    def _start(self, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        while True:
            try:
                downstream, _ = self._listener.accept()
            except OSError:  # shut down by __exit__
                return
            self.accepted += 1
            self.track(downstream)
            self._start(self._serve, downstream)

    def _serve(self, downstream: socket.socket) -> None:
        try:
            self.serve(downstream)
        except OSError:  # either side gone, or ended by drop_connections
            pass
        finally:
            with self._lock:
                ended = [sock for sock in self._sockets if sock is downstream or sock.fileno() == -1]
                self._sockets.difference_update(ended)
            downstream.close()


class HoldingProxy(TcpProxy):
    """Relays each connection to ``upstream_port`` after holding it ``hold`` seconds: the
    connection is accepted at once, but nothing it sends is read or forwarded until
    then. ``hold=None`` holds every connection until the proxy closes, and then
    ``upstream_port`` may be None (nothing behind it).

    ``hold`` may change while the proxy runs (it applies to connections accepted
    afterwards); ``drop_connections`` ends every connection it relays.
    """

    def __init__(self, upstream_port: int | None, *, hold: float | None = 0.0) -> None:
        if upstream_port is None and hold is not None:
            raise ValueError("a proxy with nothing behind it must hold forever (hold=None)")
        super().__init__()
        self.upstream_port = upstream_port
        self.hold = hold

    def serve(self, downstream: socket.socket) -> None:
        if self._closing.wait(self.hold) or self.upstream_port is None:
            return
        with socket.create_connection((LOCALHOST, self.upstream_port)) as upstream:
            self.track(upstream)
            _relay(downstream, upstream)


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
