"""Instructions per request of the learner pages beside the ceiling page, counted by
valgrind's callgrind: a figure that repeats however busy the machine is.

    .venv/bin/python bench/instructions.py [--requests 10] [--scale 1] [PAGE ...]

bench/pages.py measures the issue's figure, CPU time per request under gunicorn; on a
shared machine that swings from run to run, and a change worth a few percent hides in it.
This counts the instructions the portal and the ceiling app (bench/ceiling_app.py) execute
for the same requests: both in one process under callgrind, through Flask's test client,
the portal on a new demo database (bench/pages.py's, `--scale` as there) and signed in as
the demo learner. Counting is switched on only around each page's requests, after a
warm-up. The counts repeat to a fraction of a percent, so compare them before and after a
change. They are not time: the portal reaches more memory than the ceiling page, so its
time ratio runs higher than its instruction ratio, and the kernel's share (SQLite's file
reads and locks) is not counted; bench/pages.py gives the ratio itself.

Needs valgrind (Debian's package); about 30 seconds for the default pages.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from pages import COURSE, LEARNER, PASSWORD, ROOT, demo_environment  # bench/, beside this

PAGES = ["/learn/", "/courses/", COURSE, "/sandbox/", "/sandbox/customers", "/sandbox/tickets"]
CEILING = "ceiling"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10, help="requests counted a page")
    parser.add_argument("--scale", type=int, default=1, help="times the courses and progress")
    parser.add_argument("pages", nargs="*", default=PAGES, help="paths (default: %(default)s)")
    parser.add_argument("--counted", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.counted:
        _requests(args.pages, args.requests)
        return

    folder = Path(tempfile.mkdtemp(prefix="bench-instructions-"))
    try:
        _count_pages(folder, args)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _count_pages(folder: Path, args: argparse.Namespace) -> None:
    """Run the counted requests under callgrind and print each page's figures."""
    env = demo_environment(folder, args.scale)
    # The ceiling app fills its database on first start: outside callgrind, where it is quick.
    subprocess.run(
        [sys.executable, "-c", "from bench.ceiling_app import create_app; create_app()"],
        env=env,
        check=True,
    )
    command = [
        *("valgrind", "--tool=callgrind", "--instr-atstart=no"),
        f"--callgrind-out-file={folder / 'counts.%p'}",
        *(sys.executable, __file__, "--counted", "--requests", str(args.requests), *args.pages),
    ]
    subprocess.run(command, env=env, check=True, capture_output=True)
    counts = _counts(folder)
    ceiling = counts[CEILING] / args.requests
    print(f"scale {args.scale}, {args.requests} requests counted a page")
    print(f"{'page':<32}{'instructions/request':>22}{'ratio':>8}")
    for name, total in counts.items():
        per_request = total / args.requests
        print(f"{name:<32}{per_request / 1e6:>20.2f} M{per_request / ceiling:>8.2f}")


def _requests(pages: list[str], count: int) -> None:
    """Under callgrind: each page's `count` requests counted apart (the ceiling first)."""
    sys.path.insert(0, str(ROOT))
    from bench.ceiling_app import create_app as ceiling_app
    from portal import create_app

    ceiling = ceiling_app().test_client()
    portal = create_app().test_client()
    form = portal.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    answer = portal.post(
        "/login", data={"csrf_token": token, "email": LEARNER, "password": PASSWORD}
    )
    if answer.status_code != 302:
        raise SystemExit(f"signing in as {LEARNER} answered {answer.status_code}")

    def control(*options: str) -> None:
        subprocess.run(
            ["callgrind_control", *options, str(os.getpid())], check=True, capture_output=True
        )

    for name, client, path in [(CEILING, ceiling, "/")] + [(p, portal, p) for p in pages]:
        for _ in range(5):  # warm up: imports, templates, the learner's sandbox
            if (status := client.get(path).status_code) != 200:
                raise SystemExit(f"{path} answered {status}")
        control("--zero")
        control("--instr=on")
        for _ in range(count):
            client.get(path)
        control("--instr=off")
        control(f"--dump={name}")


def _counts(folder: Path) -> dict[str, int]:
    """Instructions of each dump callgrind wrote, by the page named in it, in order."""
    dumps = sorted(folder.glob("counts.*.*"), key=lambda path: int(path.suffix[1:]))
    counts = {}
    for dump in dumps:
        text = dump.read_text()
        name = re.search(r"^desc: Trigger: dump (.+)$", text, re.M).group(1)
        counts[name] = int(re.search(r"^totals: (\d+)", text, re.M).group(1))
    return counts


if __name__ == "__main__":
    main()
