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
