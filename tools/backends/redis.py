"""Local Redis: a standalone redis-server, or a 3-master Redis Cluster shaped like MemoryDB.

The cluster speaks only TLS (self-signed CA, server certificate for 127.0.0.1) and only
to an ACL user with a password, so a client configured for MemoryDB (cluster mode, TLS,
username/password) runs its exact code path against it.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable
from pathlib import Path

import redis

from tools.backends import process, tls

_REDIS_HINT = "install Redis 7+ (apt-get install redis-server; brew install redis)"
_CLUSTER_SLOTS = 16384


class _RedisServer(process.LocalServer):
    """One redis-server process run from a config file, restartable on the same port."""

    _name = "redis-server"

    def __init__(self, port: int, directory: Path, config: Iterable[str]) -> None:
        super().__init__(port)
        self.directory = directory
        self._config = list(config)
        # Here, not in ``_command``: a missing binary is reported before a busy port.
        self._binary = process.require_binary("redis-server", _REDIS_HINT)

    def _command(self) -> list[str]:
        self.directory.mkdir(parents=True, exist_ok=True)
        # A config file rather than arguments keeps passwords out of the process list.
        config_file = self.directory / "redis.conf"
        config_file.write_text("\n".join([f"dir {self.directory}", *self._config, ""]))
        config_file.chmod(0o600)
        return [self._binary, str(config_file)]

    def _log_file(self) -> Path:
        return self.directory / "redis.log"


def _base_config(*, persistent: bool) -> list[str]:
    return [
        "bind 127.0.0.1",
        "daemonize no",
        'logfile ""',
        'save ""',
        f"appendonly {'yes' if persistent else 'no'}",
    ]


class _RedisBackend(process.ServerLifecycle):
    _workdir_prefix = "local-redis-"


class LocalRedis(_RedisBackend):
    """A standalone redis-server on 127.0.0.1:``port`` (a free one by default), no auth.

    In memory by default, so ``restart`` loses the data like an outage of a cache; with
    ``data_dir`` it keeps an append-only file there and the data survives restarts.
    """

    def __init__(self, port: int | None = None, *, data_dir: Path | None = None) -> None:
        super().__init__()
        self.port = port if port is not None else process.free_port()
        self.url = f"redis://{process.LOCALHOST}:{self.port}"
        self.data_dir = data_dir
        self._server: _RedisServer | None = None

    def start(self) -> None:
        if self._server is None:
            directory = self.data_dir if self.data_dir is not None else self._work_path()
            config = [f"port {self.port}", *_base_config(persistent=self.data_dir is not None)]
            self._server = _RedisServer(self.port, directory, config)
        self._server.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()

    def pids(self) -> list[int]:
        return [] if self._server is None else self._server.pids()


def _distinct_free_ports(count: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < count:
        port = process.free_port()
        if port not in ports:
            ports.append(port)
    return ports


def generate_certificates(directory: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a server certificate for ``localhost`` signed by it.

    Like MemoryDB's, the certificate names a host, not the IP address the cluster's nodes
    announce: a client that checks node names against it fails, as it would on AWS.

    Returns ``(ca_file, cert_file, key_file)``.
    """
    ca = tls.generate_ca(directory, "local-redis-test-ca")
    cert_file, key_file = tls.generate_server_certificate(directory, ca, names=["DNS:localhost"])
    return ca.cert_file, cert_file, key_file


class LocalRedisCluster(_RedisBackend):
    """A Redis Cluster of ``masters`` primaries (no replicas) on 127.0.0.1, TLS and ACL only.

    ``endpoint`` is one node's ``host:port``, like MemoryDB's cluster endpoint; the client
    discovers the others. The default user is off: only ``username``/``password`` works.
    ``stop``/``start`` take every node down and back on the same ports with the same
    cluster layout (the data is in memory and is lost).
    """

    def __init__(self, masters: int = 3, *, username: str = "app", password: str | None = None) -> None:
        super().__init__()
        self.username = username
        self.password = password if password is not None else secrets.token_urlsafe(24)
        ports = _distinct_free_ports(2 * masters)
        self.ports, self._bus_ports = ports[:masters], ports[masters:]
        self.endpoint = f"{process.LOCALHOST}:{self.ports[0]}"
        self.ca_file = Path()
        self._nodes: list[_RedisServer] = []
        self._formed = False

    def _node_config(self, port: int, bus_port: int, cert_file: Path, key_file: Path) -> list[str]:
        return [
            *_base_config(persistent=False),
            "port 0",
            f"tls-port {port}",
            f"tls-cert-file {cert_file}",
            f"tls-key-file {key_file}",
            f"tls-ca-cert-file {self.ca_file}",
            # Like MemoryDB: clients authenticate with a password, not a client certificate.
            "tls-auth-clients no",
            "tls-cluster yes",
            "cluster-enabled yes",
            "cluster-config-file nodes.conf",
            f"cluster-port {bus_port}",
            "cluster-node-timeout 2000",
            "user default off",
            f"user {self.username} on >{self.password} ~* &* +@all",
        ]

    def _create_nodes(self) -> None:
        work = self._work_path()
        self.ca_file, cert_file, key_file = generate_certificates(work)
        self._nodes = [
            _RedisServer(port, work / f"node-{port}", self._node_config(port, bus, cert_file, key_file))
            for port, bus in zip(self.ports, self._bus_ports, strict=True)
        ]

    def admin_client(self, port: int) -> redis.Redis:
        """A plain (non-cluster) client for one node, for setup and inspection."""
        return redis.Redis(
            host=process.LOCALHOST,
            port=port,
            username=self.username,
            password=self.password,
            ssl=True,
            ssl_ca_certs=str(self.ca_file),
            ssl_check_hostname=False,  # the certificate names localhost, not the node's IP
            socket_timeout=2,
            socket_connect_timeout=2,
        )

    def _form_cluster(self) -> None:
        """Give each master an equal share of the slots and introduce the nodes to each other."""
        share = -(-_CLUSTER_SLOTS // len(self.ports))
        for index, port in enumerate(self.ports):
            first = index * share
            last = min(first + share, _CLUSTER_SLOTS) - 1
            with self.admin_client(port) as client:
                client.execute_command("CLUSTER", "ADDSLOTSRANGE", first, last)
        with self.admin_client(self.ports[0]) as client:
            for port, bus_port in zip(self.ports[1:], self._bus_ports[1:], strict=True):
                client.execute_command("CLUSTER", "MEET", process.LOCALHOST, port, bus_port)

    def _wait_until_ok(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        pending = list(self.ports)
        while pending:
            with self.admin_client(pending[0]) as client:
                info = client.cluster("INFO")
            if info.get("cluster_state") == "ok" and int(info.get("cluster_known_nodes", 0)) == len(
                self.ports
            ):
                pending.pop(0)
            elif time.monotonic() > deadline:
                raise TimeoutError(f"cluster on {self.ports} not ok after {timeout:.0f}s: {info}")
            else:
                time.sleep(0.1)

    def start(self) -> None:
        if not self._nodes:
            self._create_nodes()
        try:
            for node in self._nodes:
                node.start()
            if not self._formed:
                self._form_cluster()
                self._formed = True
            self._wait_until_ok()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        for node in self._nodes:
            node.stop()

    def pids(self) -> list[int]:
        return [pid for node in self._nodes for pid in node.pids()]
