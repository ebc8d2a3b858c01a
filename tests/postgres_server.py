"""A real PostgreSQL server for the festival's tests (Debian's `postgresql` package: initdb and pg_ctl), started in
a temporary folder on a free port and stopped afterwards. As root (CI containers), the server runs as the
`postgres` user, which the package creates (PostgreSQL refuses to run as root)."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import time
from pathlib import Path


def binaries() -> Path | None:
    """The folder holding initdb and pg_ctl (the newest version installed), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Postgres:
    """`with Postgres() as pg:` a server at `pg.url(name)` (database `name` made by `pg.create(name)`), in a folder
    of its own under the system's temporary folder (the postgres user must be able to reach it), removed after."""

    def __init__(self):
        import tempfile
        self.bin = binaries()
        self.folder = Path(tempfile.mkdtemp(prefix="filmcrew-pg-"))
        self.port = _free_port()
        self.user = "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
        self.data = self.folder / "data"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [str(a) for a in args]
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")

            def drop():
                os.setgid(pw.pw_gid)
                os.setuid(pw.pw_uid)
            r = subprocess.run(cmd, capture_output=True, text=True, preexec_fn=drop, cwd=str(self.folder),
                               env={**os.environ, "HOME": str(self.folder)})
        else:
            r = subprocess.run(cmd, capture_output=True, text=True)
        if check and r.returncode:
            raise RuntimeError(f"{' '.join(cmd)} failed ({r.returncode}): {r.stderr.strip() or r.stdout.strip()}")
        return r

    def __enter__(self) -> "Postgres":
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(self.folder, pw.pw_uid, pw.pw_gid)
        self._run(self.bin / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        self._run(self.bin / "pg_ctl", "-D", self.data, "-l", self.folder / "log", "-w", "-t", "60", "-o",
                  f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                  f"-c max_connections=200", "start")
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 1).close()
                break
            except OSError:
                time.sleep(0.2)
        return self

    def create(self, name: str) -> str:
        import psycopg
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def url(self, name: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def __exit__(self, *exc) -> None:
        self._run(self.bin / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.folder, ignore_errors=True)
