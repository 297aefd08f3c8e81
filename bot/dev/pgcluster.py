"""A throwaway PostgreSQL server for the tests: ``python -m bot.dev.pgcluster COMMAND ...``.

Creates a cluster in a temporary directory (``initdb``), starts it on 127.0.0.1 on a free port (``pg_ctl``),
runs COMMAND with ``TEST_DATABASE_URL`` pointing at it, then stops it and removes the directory. `make test-pg`
and `.ci/run` use it; the test fixtures create one database per test on that server.

Pitfalls:
- PostgreSQL refuses to run as root; as root the server runs as the ``postgres`` user (which the Debian
  ``postgresql`` package creates) and the directory is handed to that user.
- Debian keeps the server binaries outside PATH (``/usr/lib/postgresql/<version>/bin``): the newest there wins,
  else ``initdb`` on PATH.
- Trust authentication, loopback only: the server is reachable from this machine alone and lives for one run.
"""

from __future__ import annotations

import argparse
import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path


class NoPostgres(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


def server_bindir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version_key)
    if candidates:
        return Path(candidates[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise NoPostgres("no PostgreSQL server found (initdb); install it, e.g. apt-get install postgresql")


def _version_key(path: str) -> tuple[int, ...]:
    version = Path(path).parent.parent.name
    return tuple(int(p) for p in version.split(".") if p.isdigit())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(command: list[str]) -> int:
    bindir = server_bindir()
    user = "postgres" if os.geteuid() == 0 else None
    workdir = Path(tempfile.mkdtemp(prefix="veiligbot-pg-"))
    data = workdir / "data"
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(workdir, entry.pw_uid, entry.pw_gid)
    port = _free_port()
    pg_ctl = [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(workdir / "server.log")]
    try:
        subprocess.run(  # noqa: S603 - fixed arguments
            [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"],
            check=True,
            user=user,
            stdout=subprocess.DEVNULL,
        )
        # fsync off: a throwaway server; the socket directory is ours, not /var/run/postgresql.
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {workdir} -c fsync=off -c max_connections=200"
        subprocess.run([*pg_ctl, "-w", "-o", options, "start"], check=True, user=user, stdout=subprocess.DEVNULL)  # noqa: S603
        try:
            env = dict(os.environ, TEST_DATABASE_URL=f"postgresql+asyncpg://postgres@127.0.0.1:{port}/postgres")
            print(f"PostgreSQL ({bindir.parent.name}) on 127.0.0.1:{port}", file=sys.stderr, flush=True)
            return subprocess.run(command, env=env, check=False).returncode  # noqa: S603
        finally:
            subprocess.run([*pg_ctl, "-m", "fast", "stop"], check=False, user=user, stdout=subprocess.DEVNULL)  # noqa: S603
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command to run with TEST_DATABASE_URL set")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("name a command to run")
    try:
        return run(command)
    except NoPostgres as exc:
        print(f"pgcluster: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
