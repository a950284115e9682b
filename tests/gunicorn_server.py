"""Start the portal under gunicorn on a loopback port, as production serves it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def bound_socket() -> socket.socket:
    """A loopback socket on a port the kernel picks, for gunicorn to take over as
    `--bind fd://N` (passed with `pass_fds`): a port probed free and bound later could be
    taken meanwhile by another test run on the same machine."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    return listener


def _wait_until_up(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"gunicorn stopped: {server.stderr.read().decode()[-2000:]}")
        try:
            urllib.request.urlopen(url + "/healthz", timeout=10)
            return
        except OSError:  # not listening yet, or still booting
            time.sleep(0.3)
    raise AssertionError("gunicorn did not answer within 60 s")


@contextmanager
def gunicorn(
    database_url: str, workers: int = 1, shipped_config: bool = False, **settings: str
) -> Iterator[str]:
    """The portal under gunicorn (gthread, as bin/run starts it); yields its base URL.

    `settings` become PORTAL_* environment variables. With `shipped_config` the server runs
    on the repository's gunicorn.conf.py alone, as bin/run starts it.
    """
    with gunicorns(1, database_url, workers, shipped_config, **settings) as (url,):
        yield url


@contextmanager
def gunicorns(
    count: int, database_url: str, workers: int = 1, shipped_config: bool = False, **settings
) -> Iterator[tuple[str, ...]]:
    """`count` servers as `gunicorn` starts one, booting side by side (each takes seconds
    to import the portal); yields their base URLs."""
    servers = []
    try:
        for _ in range(count):
            servers.append(_start(database_url, workers, shipped_config, settings))
        for server, url in servers:
            _wait_until_up(url, server)
        yield tuple(url for _server, url in servers)
    finally:
        for server, _url in servers:
            server.terminate()
        for server, _url in servers:
            server.wait(timeout=30)


def _start(database_url: str, workers: int, shipped_config: bool, settings: dict):
    listener = bound_socket()
    port = listener.getsockname()[1]
    bind = f"fd://{listener.fileno()}"
    env = {
        **os.environ,
        "PORTAL_MODE": "testing",
        "SECRET_KEY": "live-server-" + "x" * 40,
        "DATABASE_URL": database_url,
        **{f"PORTAL_{name}": value for name, value in settings.items()},
    }
    with listener:
        server = subprocess.Popen(
            [str(GUNICORN), "-c", "gunicorn.conf.py", "--bind", bind, "portal:create_app()"]
            if shipped_config
            else [
                str(GUNICORN),
                "--workers",
                str(workers),
                "--threads",
                "4",
                "--bind",
                bind,
                "--no-control-socket",
                "portal:create_app()",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            pass_fds=(listener.fileno(),),
        )
    return server, f"http://127.0.0.1:{port}"
