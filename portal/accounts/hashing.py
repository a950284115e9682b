"""Password checks on threads of their own, a bounded number at once.

Password hashing is deliberately slow (about 120 ms of CPU for scrypt) and runs outside
Python's lock, so it keeps a whole core busy. Each process checks LOGIN_HASH_CONCURRENCY
passwords at once, on threads of its own at a lower CPU priority (LOGIN_HASH_NICENESS):
when sign-ins pile up the pages keep the cores. At most LOGIN_HASH_QUEUE more sign-ins
wait for a turn, each for LOGIN_HASH_WAIT_SECONDS at most; the others hear at once that
it is busy, so waiting sign-ins cannot hold every request thread of the process either.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from flask import current_app


class HashingBusy(Exception):
    """No turn to check a password came in time, or too many are already waiting."""


class _HashTurns:
    """The password-checking turns, waiting room and threads of one process."""

    def __init__(self, size: int, niceness: int) -> None:
        self.turns = threading.BoundedSemaphore(size)
        self.callers = 0  # checking or waiting
        self.lock = threading.Lock()
        self.threads = ThreadPoolExecutor(
            size, "password-hash", initializer=_lower_priority, initargs=(niceness,)
        )


_hash_turns: dict[tuple[int, int, int], _HashTurns] = {}
_hash_turns_lock = threading.Lock()


def _lower_priority(niceness: int) -> None:
    """Lower the CPU priority of this thread alone (Linux schedules threads one by one)."""
    if niceness and sys.platform.startswith("linux"):
        thread = threading.get_native_id()
        niceness += os.getpriority(os.PRIO_PROCESS, thread)
        os.setpriority(os.PRIO_PROCESS, thread, min(niceness, 19))


@contextmanager
def hash_turn() -> Iterator[ThreadPoolExecutor]:
    """Wait (a bounded time) for a turn to check a password on the threads it yields;
    HashingBusy when the waiting room is full or no turn comes."""
    config = current_app.config
    size, niceness = config["LOGIN_HASH_CONCURRENCY"], config["LOGIN_HASH_NICENESS"]
    key = (os.getpid(), size, niceness)  # per process: threads do not survive a fork
    with _hash_turns_lock:
        pool = _hash_turns.get(key)
        if pool is None:
            pool = _hash_turns[key] = _HashTurns(size, niceness)
    with pool.lock:
        if pool.callers >= size + config["LOGIN_HASH_QUEUE"]:
            raise HashingBusy()
        pool.callers += 1
    try:
        if not pool.turns.acquire(timeout=config["LOGIN_HASH_WAIT_SECONDS"]):
            raise HashingBusy()
        try:
            yield pool.threads
        finally:
            pool.turns.release()
    finally:
        with pool.lock:
            pool.callers -= 1
