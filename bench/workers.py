"""gunicorn servers for the benchmarks: started with the shipped settings on a free loopback
port, and the CPU their workers spent, read from /proc (steadier than wall-clock time on a
shared machine)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def serve(app: str, env: dict, log: Path, ready: str = "/") -> tuple[subprocess.Popen, int]:
    """gunicorn serving `app` with the shipped settings (gunicorn.conf.py) on a free loopback
    port, its output in `log`; returned once `ready` answers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [
        *(sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")),
        *("--no-control-socket", "--bind", f"127.0.0.1:{port}", app),
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=out)
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{ready}", timeout=120).close()
                return process, port
            except urllib.error.HTTPError:
                return process, port  # it answers, if not with a page
            except OSError:
                time.sleep(0.1)
    except BaseException:
        process.terminate()
        raise
    process.terminate()
    raise SystemExit(f"{app} did not start; see {log}")


def workers(master: int) -> list[int]:
    """gunicorn's worker processes: the pids whose parent is `master`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            found.append(int(stat.parent.name))
    return found


def cpu_seconds(pids: list[int]) -> float:
    """CPU of the processes (every thread), in seconds.

    Read from each thread's /proc/<pid>/task/<tid>/schedstat, whose first field counts the
    nanoseconds it ran: a page costs a few milliseconds, and the user and system times of
    /proc/<pid>/stat move in ticks of 10 ms. The threads must outlive the measurement
    (gunicorn's worker threads do): a thread that ends takes its count with it. Where the
    kernel keeps no schedstat, the ticks of /proc/<pid>/stat stand in.
    """
    return sum(_nanoseconds(pid) for pid in pids) / 1e9


def _nanoseconds(pid: int) -> int:
    total = 0
    try:
        for schedstat in Path(f"/proc/{pid}/task").glob("*/schedstat"):
            try:
                total += int(schedstat.read_text().split()[0])
            except (OSError, IndexError, ValueError):
                continue  # a thread that ended between the listing and the read
    except OSError:
        total = 0
    if total:
        return total
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    return ticks * 1_000_000_000 // os.sysconf("SC_CLK_TCK")


class DatabaseCPU:
    """CPU the PostgreSQL server processes behind an engine's connections spent: readable
    from /proc when the server runs on this machine (as bin/test starts it); None on SQLite
    (its work is in the benchmark's own process) or a server elsewhere."""

    def __init__(self, engine, session=None) -> None:
        self.pids: set[int] = set()
        self.postgres = engine.dialect.name == "postgresql"
        if self.postgres:
            from sqlalchemy import event, text

            event.listen(engine, "connect", self._connected)
            engine.dispose()  # connections made from now on are all seen
            if session is not None:  # and the one this session holds already
                self.pids.add(session.scalar(text("SELECT pg_backend_pid()")))

    def _connected(self, connection, _record) -> None:
        cursor = connection.cursor()
        cursor.execute("SELECT pg_backend_pid()")
        self.pids.add(cursor.fetchone()[0])
        cursor.close()

    def seconds(self) -> float | None:
        """CPU seconds so far of the server processes still serving this engine."""
        live = [pid for pid in self.pids if Path(f"/proc/{pid}/stat").exists()]
        if not self.postgres or not live:
            return None
        try:
            return cpu_seconds(live)
        except OSError:
            return None
