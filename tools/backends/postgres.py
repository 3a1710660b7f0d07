"""A throwaway (or persistent) PostgreSQL cluster on 127.0.0.1, for tests, ``make dev`` and ``make bench``.

``initdb`` refuses to run as root, so as root every PostgreSQL binary runs through
``runuser -u postgres --`` and the data and socket dirs are owned by ``postgres``.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from sqlalchemy import URL, create_engine, select, text
from sqlalchemy.sql import column, table

from tools.backends.process import (
    LOCALHOST,
    ServerLifecycle,
    free_port,
    require_binary,
    wait_for_port,
    with_descendants,
)
from tools.backends.tls import generate_ca, generate_server_certificate

SUPERUSER = "postgres"
_OS_USER = "postgres"
_INSTALL_HINT = "install PostgreSQL server binaries (apt-get install postgresql)"
_START_TIMEOUT = 30
#: How long a postmaster that pg_ctl gave up on may take to write its pid file.
_PID_FILE_WAIT = 5.0


def _postgres_binary(name: str) -> str:
    return require_binary(name, _INSTALL_HINT, search=sorted(glob.glob("/usr/lib/postgresql/*/bin")))


def _make_owned_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(path, _OS_USER, _OS_USER)


class LocalPostgres(ServerLifecycle):
    """``with LocalPostgres() as pg: pg.url(pg.create_database("app"))``.

    Without ``data_dir`` the cluster lives in a temp dir removed on exit; an existing
    ``data_dir`` is reused as is (``make dev`` keeps its data between runs).

    With ``tls``, the server also speaks TLS (``ssl=on``), with a certificate for
    ``127.0.0.1`` (its IP address only: ``localhost`` reaches it under a name the
    certificate does not list) signed by a throwaway CA made for each ``with`` block,
    ``ca_file``; clients may still connect without TLS.
    """

    def __init__(self, port: int | None = None, *, data_dir: Path | None = None, tls: bool = False) -> None:
        super().__init__()
        self.tls = tls
        self.ca_file: Path | None = None
        self._tls_options = ""
        self.port = port or free_port()
        self._temp_dir: Path | None = None
        self.data_dir = data_dir
        self._socket_dir: Path | None = None
        self._as_root = os.geteuid() == 0
        self._runuser = require_binary("runuser", "install util-linux") if self._as_root else ""
        self._initdb = _postgres_binary("initdb")
        self._pg_ctl = _postgres_binary("pg_ctl")
        self.running = False

    @property
    def log_file(self) -> Path:
        return self._data_dir / "server.log"

    @property
    def _data_dir(self) -> Path:
        if self.data_dir is None:
            raise RuntimeError("LocalPostgres is not entered")
        return self.data_dir

    def url(self, dbname: str = "postgres") -> str:
        """SQLAlchemy URL of ``dbname`` as the trusted superuser."""
        return URL.create(
            "postgresql+psycopg2", username=SUPERUSER, host=LOCALHOST, port=self.port, database=dbname
        ).render_as_string(hide_password=False)

    def create_database(self, name: str) -> str:
        """Create ``name`` unless it exists; returns the name for ``url()``."""
        engine = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                pg_database = table("pg_database", column("datname"))
                exists = conn.execute(select(pg_database).where(pg_database.c.datname == name)).first()
                if exists is None:
                    quoted = engine.dialect.identifier_preparer.quote(name)
                    conn.execute(text(f"CREATE DATABASE {quoted}"))
        finally:
            engine.dispose()
        return name

    def start(self) -> None:
        """Start the server on ``self.port`` (again, after ``stop()``) and wait until it is ready."""
        if self.running:
            return
        options = f"-p {self.port} -k {self._socket_dir} -c listen_addresses={LOCALHOST}{self._tls_options}"
        if self._temp_dir is not None:
            # Throwaway data need not survive an OS crash; a server crash loses nothing.
            options += " -c fsync=off"
        try:
            self._run(
                self._pg_ctl, "start", "-D", str(self._data_dir), "-l", str(self.log_file),
                "-w", "-t", str(_START_TIMEOUT), "-o", options,
            )  # fmt: skip
        except RuntimeError:
            self._stop_unwaited_server()
            raise
        self.running = True
        wait_for_port(self.port, timeout=_START_TIMEOUT)

    def stop(self, mode: str = "fast") -> None:
        """Stop the server, keeping its data: ``fast`` ends sessions cleanly, ``immediate`` is a crash."""
        if not self.running:
            return
        self._run(self._pg_ctl, "stop", "-D", str(self._data_dir), "-m", mode, "-w")
        self.running = False

    def _stop_unwaited_server(self) -> None:
        """pg_ctl gives up after ``-t`` seconds but leaves the postmaster it launched
        running, which nothing would stop: stop it once its pid file says it is there."""
        pid_file = self._data_dir / "postmaster.pid"
        deadline = time.monotonic() + _PID_FILE_WAIT
        while not pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        with contextlib.suppress(RuntimeError):  # no server after all: nothing to stop
            self._run(self._pg_ctl, "stop", "-D", str(self._data_dir), "-m", "immediate", "-w")

    def pids(self) -> list[int]:
        """The postmaster and its children (each backend is a session of its own, so not
        one process group)."""
        pid_file = self._data_dir / "postmaster.pid"
        if not self.running or not pid_file.is_file():
            return []
        return with_descendants(int(pid_file.read_text().split()[0]))

    def restart(self, mode: str = "fast") -> None:
        self.stop(mode)
        self.start()

    def _prepare(self) -> None:
        if self.data_dir is None:
            self._temp_dir = Path(tempfile.mkdtemp(prefix="localpg-"))
            _make_owned_dir(self._temp_dir)
            self.data_dir = self._temp_dir / "data"
        # A short path of its own: unix socket paths are limited to ~100 bytes.
        self._socket_dir = Path(tempfile.mkdtemp(prefix="pgsock-"))
        _make_owned_dir(self._socket_dir)
        if self.tls:
            self._make_certificates(self._socket_dir)
        if not (self.data_dir / "PG_VERSION").is_file():
            _make_owned_dir(self.data_dir)
            self._run(
                self._initdb, "-D", str(self.data_dir), "-U", SUPERUSER, "--auth=trust",
                "--encoding=UTF8", "--locale=C", "--no-sync",
            )  # fmt: skip

    def _make_certificates(self, directory: Path) -> None:
        """The CA and the server's certificate and key, which PostgreSQL wants owned by
        the user it runs as and readable by it alone."""
        ca = generate_ca(directory, "local-postgres-test-ca")
        cert_file, key_file = generate_server_certificate(directory, ca, names=[f"IP:{LOCALHOST}"])
        if self._as_root:
            for path in (cert_file, key_file):
                shutil.chown(path, _OS_USER, _OS_USER)
        self.ca_file = ca.cert_file
        self._tls_options = f" -c ssl=on -c ssl_cert_file={cert_file} -c ssl_key_file={key_file}"

    def _cleanup(self) -> None:
        for path in (self._socket_dir, self._temp_dir):
            if path is not None:
                shutil.rmtree(path, ignore_errors=True)
        self._socket_dir = None
        self.ca_file = None
        if self._temp_dir is not None:
            self._temp_dir = None
            self.data_dir = None

    def _run(self, *args: str) -> None:
        command = [self._runuser, "-u", _OS_USER, "--", *args] if self._as_root else list(args)
        # cwd: the postgres user may not be allowed into the caller's directory.
        result = subprocess.run(
            command, cwd=tempfile.gettempdir(), capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            log_tail = ""
            if self.data_dir is not None and self.log_file.is_file():
                log_tail = "\n" + "\n".join(self.log_file.read_text(errors="replace").splitlines()[-20:])
            raise RuntimeError(
                f"{' '.join(args[:2])} failed ({result.returncode}): {result.stderr.strip()}{log_tail}"
            )
