"""
Start throwaway PostgreSQL and Redis servers for tests and benchmarks.

The servers live in a temporary folder on free loopback ports and are
stopped by `stop()`. PostgreSQL refuses to run as root, so when running as
root the server runs as the `postgres` system user.

Run as a script to start both and print the environment to use:
    python scripts/services.py
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

PG_USER = "postgres"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pg_bin(name: str) -> str:
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    if candidates:
        return candidates[0]
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} was not found; run `make services` to install it.")
    return found


def _as_pg_user(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", PG_USER, "--", *cmd]
    return cmd


def _wait_for_port(port: int, timeout: float, what: str, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with code {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not start listening on port {port} within {timeout}s")


@dataclass
class Postgres:
    port: int = field(default_factory=free_port)
    max_connections: int = 300
    datadir: str = ""
    workdir: str = ""

    @property
    def url(self) -> str:
        return f"postgres://{PG_USER}@127.0.0.1:{self.port}/trialoog"

    def start(self) -> Postgres:
        self.workdir = tempfile.mkdtemp(prefix="trialoog-pg-")
        os.chmod(self.workdir, 0o755)  # noqa: S103 - the postgres user must enter it
        self.datadir = os.path.join(self.workdir, "data")
        if os.geteuid() == 0:
            shutil.chown(self.workdir, PG_USER, PG_USER)
        subprocess.run(
            _as_pg_user(
                [
                    _pg_bin("initdb"),
                    "-D",
                    self.datadir,
                    "-U",
                    PG_USER,
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--no-sync",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        self.start_server()
        subprocess.run(
            [_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", PG_USER, "trialoog"],
            check=True,
        )
        return self

    def start_server(self) -> None:
        """Start (or restart after stop_server) the server on the same port and data folder."""
        options = (
            f"-p {self.port} -k {self.workdir} -c listen_addresses=127.0.0.1 -c fsync=off "
            f"-c synchronous_commit=off -c full_page_writes=off -c max_connections={self.max_connections}"
        )
        subprocess.run(
            _as_pg_user(
                [
                    _pg_bin("pg_ctl"),
                    "-D",
                    self.datadir,
                    "-o",
                    options,
                    "-l",
                    os.path.join(self.workdir, "log"),
                    "-w",
                    "start",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        _wait_for_port(self.port, 30, "PostgreSQL")

    def stop_server(self, mode: str = "fast") -> None:
        """Stop the server but keep its data, for fault tests."""
        self.pg_ctl("stop", "-m", mode)

    def stop(self) -> None:
        self.pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(self.workdir, ignore_errors=True)

    def pg_ctl(self, *args: str) -> None:
        subprocess.run(
            _as_pg_user([_pg_bin("pg_ctl"), "-D", self.datadir, "-w", *args]),
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


@dataclass
class Redis:
    """
    A Redis server on a free loopback port.

    With `tls_dir` (a folder holding ca.crt, server.crt and server.key) it
    speaks only TLS on that port, and `url` is a `rediss://` URL that carries
    the CA for redis-py's certificate check.
    """

    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None
    tls_dir: str = ""

    @property
    def url(self) -> str:
        if self.tls_dir:
            return f"rediss://127.0.0.1:{self.port}/0?ssl_ca_certs={os.path.join(self.tls_dir, 'ca.crt')}"
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> Redis:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        if self.tls_dir:
            listen = ["--port", "0", "--tls-port", str(self.port), "--tls-auth-clients", "no"]
            for option, name in (("cert", "server.crt"), ("key", "server.key"), ("ca-cert", "ca.crt")):
                listen += [f"--tls-{option}-file", os.path.join(self.tls_dir, name)]
        else:
            listen = ["--port", str(self.port)]
        self.proc = subprocess.Popen(
            [
                binary,
                *listen,
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--maxclients",
                "10000",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.port, 15, "Redis", self.proc)
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


if __name__ == "__main__":
    pg, redis = Postgres().start(), Redis().start()
    print(f"export DATABASE_URL={pg.url}\nexport REDIS_URL={redis.url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        redis.stop()
        pg.stop()
        sys.exit(0)
