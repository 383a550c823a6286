"""Throwaway PostgreSQL and Redis servers on loopback, and an action server port tests control.

The servers are for the store and fault tests; a test can take the port's action server away,
slow it down and bring it back.

Both come from Debian's packages (`postgresql`, `redis-server`; installed here when missing,
which needs root) and run from a temporary directory on free ports, with nothing kept after
`cleanup()`. PostgreSQL refuses to run as root, so under root (as in CI) it runs as the
`postgres` user the package creates, from a directory that user owns.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psycopg2
import redis
import sqlalchemy as sa

from tests.stack import ROOT, Stack, free_port

START_TIMEOUT_SECONDS = 30.0
POSTGRES_BIN_GLOB = "/usr/lib/postgresql/*/bin"
DB_NAME, DB_USER, DB_PASSWORD = "wbc", "wbc", "wbc-test-password"
PACKAGES = ("postgresql", "redis-server")


def ensure_installed() -> None:
    """Install PostgreSQL and Redis from Debian when either is missing (as `.ci/run` does)."""
    if _postgres_bin() is not None and shutil.which("redis-server"):
        return
    if os.geteuid() != 0:
        raise RuntimeError("the store tests need: apt-get install postgresql redis-server")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *PACKAGES]
    subprocess.run(install, check=True, env=env)


def _postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's bin directory, if any."""
    found = sorted(Path("/").glob(POSTGRES_BIN_GLOB.lstrip("/")), key=lambda p: int(p.parent.name))
    return found[-1] if found else None


def _postgres_user() -> str | None:
    """The user PostgreSQL runs as: `postgres` under root (it refuses root), else ourselves."""
    return "postgres" if os.geteuid() == 0 else None


def _postgres_groups() -> list[str] | None:
    """No supplementary groups (not root's) for the `postgres` user."""
    return [] if os.geteuid() == 0 else None


def _wait(ready: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        try:
            ready()
            return
        except Exception:  # noqa: BLE001 - not up yet, whatever the error
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not start within {START_TIMEOUT_SECONDS:.0f} s")


@dataclass
class Postgres:
    """A PostgreSQL cluster in a temp dir, with database `wbc` owned by user `wbc`."""

    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="wbc-postgres-")))
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        """The TRACKER_STORE_URL for this server."""
        return f"postgresql://{DB_USER}:{DB_PASSWORD}@127.0.0.1:{self.port}/{DB_NAME}"

    @property
    def log(self) -> Path:
        return self.root / "postgres.log"

    def setup(self) -> Postgres:
        """initdb, start, and create the role and database the bot uses."""
        try:
            self._initdb()
            self.start()
            admin = self._admin_connection()
            admin.autocommit = True
            with admin.cursor() as cursor:
                cursor.execute(f"CREATE ROLE {DB_USER} LOGIN PASSWORD '{DB_PASSWORD}'")
                cursor.execute(f"CREATE DATABASE {DB_NAME} OWNER {DB_USER}")
            admin.close()
        except BaseException:
            self.cleanup()
            raise
        return self

    def _initdb(self) -> None:
        """A new cluster: password logins over TCP (as in production), trust on the socket."""
        pwfile = self.root / "superuser-password"
        pwfile.write_text("postgres-test-password\n")
        if os.geteuid() == 0:  # the directory must belong to the user the server runs as
            user = pwd.getpwnam("postgres")
            for path in (self.root, pwfile):
                os.chown(path, user.pw_uid, user.pw_gid)
        subprocess.run(
            [
                str(self._bin("initdb")),
                *("--pgdata", str(self.root / "data"), "--username", "postgres"),
                *("--pwfile", str(pwfile), "--auth-local", "trust"),
                *("--auth-host", "scram-sha-256", "--encoding", "UTF8", "--no-sync"),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            user=_postgres_user(),
            group=_postgres_user(),
            extra_groups=_postgres_groups(),
        )

    def start(self) -> None:
        """Start the server (again) on the same data and port; return once it accepts logins."""
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    str(self._bin("postgres")),
                    *("-D", str(self.root / "data"), "-p", str(self.port)),
                    *("-k", str(self.root), "-c", "listen_addresses=127.0.0.1"),
                    *("-c", "fsync=off", "-c", "full_page_writes=off"),
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                user=_postgres_user(),
                group=_postgres_user(),
                extra_groups=_postgres_groups(),
            )
        _wait(lambda: self._admin_connection().close(), "PostgreSQL")

    def _admin_connection(self) -> psycopg2.extensions.connection:
        """The superuser, over the Unix socket in the temp dir (no password needed)."""
        return psycopg2.connect(host=str(self.root), port=self.port, user="postgres")

    def stop(self) -> None:
        """Fast shutdown (SIGINT): ends every connection, as when the database goes away."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            self.process.wait(30)

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def _bin(self, name: str) -> Path:
        directory = _postgres_bin()
        if directory is None:
            raise RuntimeError("PostgreSQL is not installed")
        return directory / name


@dataclass
class Redis:
    """A Redis server on a free loopback port that keeps nothing on disk."""

    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="wbc-redis-")))
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        """The LOCK_STORE_URL for this server."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> Redis:
        redis_server = shutil.which("redis-server") or "/usr/bin/redis-server"
        with (self.root / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(
                [
                    redis_server,
                    *("--port", str(self.port), "--bind", "127.0.0.1"),
                    *("--save", "", "--appendonly", "no", "--dir", str(self.root)),
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        _wait(lambda: redis.Redis(port=self.port, socket_timeout=1).ping(), "Redis")
        return self

    def cleanup(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(30)
        shutil.rmtree(self.root, ignore_errors=True)


@dataclass
class Pair:
    """Two Rasa servers on one PostgreSQL tracker store and one Redis lock store.

    `b` calls `a`'s action server, so one action server serves both (as when it is scaled
    separately).
    """

    a: Stack
    b: Stack


@dataclass
class Deployment:
    """Where a conversation goes on one kind of store, and the tracker store both bots use.

    `first` and `second` are the same bot on SQLite, and A and B on PostgreSQL.
    """

    first: Stack
    second: Stack
    tracker_store_url: str


def stored_events(tracker_store_url: str, sender_id: str, type_name: str | None = None) -> int:
    """Count the events of one conversation that the tracker store (SQLite or PostgreSQL) holds.

    With `type_name`, only events of that type ("user", "bot" ...).
    """
    query = "SELECT count(*) FROM events WHERE sender_id = :sender"
    if type_name is not None:
        query += " AND type_name = :type_name"
    engine = sa.create_engine(tracker_store_url)
    try:
        with engine.connect() as connection:
            found = connection.execute(
                sa.text(query), {"sender": sender_id, "type_name": type_name}
            )
            return int(found.scalar_one())
    finally:
        engine.dispose()


@dataclass
class ActionServerPort:
    """The loopback port a bot's ACTION_SERVER_URL names, and what answers there.

    Nothing, a server that answers too late, or the real action server (`python -m
    server.action_server`).
    """

    log: Path
    port: int = field(default_factory=free_port)
    real: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    slow: ThreadingHTTPServer | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhook"

    def start_real(self) -> None:
        """Start the real action server and wait until it answers."""
        self.stop()
        with self.log.open("ab") as log:
            self.real = subprocess.Popen(
                [sys.executable, "-m", "server.action_server", "--port", str(self.port)],
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        health = f"http://127.0.0.1:{self.port}/health"
        _wait(lambda: urllib.request.urlopen(health, timeout=1).close(), "the action server")

    def start_slow(self, delay_seconds: float) -> None:
        """Listen, and answer every action call only after `delay_seconds` (with no events)."""
        self.stop()

        class Slow(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # the name http.server calls
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                time.sleep(delay_seconds)
                body = json.dumps({"events": [], "responses": []}).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:  # the bot gave up waiting and closed the connection
                    pass

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.slow = ThreadingHTTPServer(("127.0.0.1", self.port), Slow)
        threading.Thread(target=self.slow.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Nothing listens on the port any more."""
        if self.real is not None:
            self.real.terminate()
            self.real.wait(30)
            self.real = None
        if self.slow is not None:
            self.slow.shutdown()
            self.slow.server_close()
            self.slow = None
