"""CPU a gunicorn server's workers spent, read from /proc: steadier than wall-clock time on a
shared machine."""

from __future__ import annotations

import os
from pathlib import Path


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
    """User plus system CPU of the processes (every thread), in seconds."""
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


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
