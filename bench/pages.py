"""CPU per request of the learner pages beside a plain Flask + SQLAlchemy + SQLite page.

    .venv/bin/python bench/pages.py [--rounds 5] [--requests 100] [--scale 1]

Starts the portal (a new SQLite database with the demo organisation) and the ceiling app
(bench/ceiling_app.py) under gunicorn with the shipped settings (gunicorn.conf.py), signs in
as the demo learner, and drives both with one client in interleaved rounds: each round asks
every page `--requests` times, one request at a time, each page's batch right after a batch
of the ceiling page. The CPU a batch costs is read from /proc of the servers' worker
processes, in nanoseconds (bench/workers.py), so the figures hold on a busy machine where
wall-clock times swing. It prints, per page, the median CPU milliseconds per request over
the rounds and the median of its ratios to the ceiling batch just before it.

`--scale 10` first gives the organisation ten times the catalogue (copies of the built-in
courses under new slugs), the learner's department ten times the assignments, and the
learners ten times the progress and certificates, to see which pages stay flat as data
grows.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import requests
from workers import cpu_seconds, serve, workers  # bench/workers.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
LEARNER = "learner@demo.test"
PASSWORD = "demo-password"
COURSE = "/courses/crm-foundations/"
PAGES = ["/learn/", "/courses/", COURSE, "/sandbox/", "/sandbox/customers", "/sandbox/tickets"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds")
    parser.add_argument("--requests", type=int, default=100, help="requests per page a round")
    parser.add_argument("--scale", type=int, default=1, help="times the courses and progress")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    env = demo_environment(folder, args.scale)

    servers: dict[str, tuple[subprocess.Popen, int]] = {}
    try:
        servers["ceiling"] = serve("bench.ceiling_app:create_app()", env, folder / "ceiling.log")
        servers["portal"] = serve("portal:create_app()", env, folder / "portal.log")
        _measure(servers, args)
    finally:
        for process, _port in servers.values():
            process.terminate()
            process.wait(timeout=30)


def demo_environment(folder: Path, scale: int) -> dict:
    """The environment of a portal on a new SQLite database in `folder` with the demo
    organisation (grown `scale` times, see `grow`), and of the ceiling app beside it."""
    env = {
        **os.environ,
        "PORTAL_MODE": "demo",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": f"sqlite:///{folder / 'portal.db'}",
        "PORTAL_RATELIMIT_STORAGE_URI": "memory://",
        "PORTAL_JOB_QUEUE": f"sqlite:///{folder / 'jobs.db'}",  # not the checkout's queue
        "CEILING_DATABASE": str(folder / "ceiling.db"),
        "PYTHONPATH": str(ROOT),
    }
    flask = [sys.executable, "-m", "flask", "--app", "portal"]
    subprocess.run([*flask, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([*flask, "seed", "demo"], env=env, check=True, capture_output=True)
    if scale > 1:
        grow(env["DATABASE_URL"], env["SECRET_KEY"], scale)
    return env


def _sign_in(client: requests.Session, base: str) -> None:
    form = client.get(f"{base}/login").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    answer = client.post(
        f"{base}/login",
        data={"csrf_token": token, "email": LEARNER, "password": PASSWORD},
        allow_redirects=False,
    )
    if answer.status_code != 302:
        raise SystemExit(f"signing in as {LEARNER} answered {answer.status_code}")


def _measure(servers: dict, args: argparse.Namespace) -> None:
    client = requests.Session()
    ceiling = servers["ceiling"]
    portal = servers["portal"]
    base = f"http://127.0.0.1:{portal[1]}"
    _sign_in(client, base)
    targets = [("ceiling", f"http://127.0.0.1:{ceiling[1]}/", workers(ceiling[0].pid))]
    portal_workers = workers(portal[0].pid)
    targets += [(page, base + page, portal_workers) for page in PAGES]
    for _name, url, _pids in targets:  # warm up: imports, templates, the learner's sandbox
        for _ in range(5):
            answer = client.get(url, allow_redirects=False)
            if answer.status_code != 200:
                raise SystemExit(f"{url} answered {answer.status_code}")

    def batch(url: str, pids: list[int]) -> float:
        """CPU milliseconds per request of `--requests` requests of `url`."""
        before = cpu_seconds(pids)
        for _ in range(args.requests):
            client.get(url, allow_redirects=False)
        return (cpu_seconds(pids) - before) / args.requests * 1000

    # Each page's batch follows a batch of the ceiling page, and its ratio is taken to that
    # one: a machine whose load changes during the run (other work starting or ending)
    # then weighs on both sides of each ratio alike.
    _ceiling, ceiling_url, ceiling_pids = targets[0]
    samples: dict[str, list[float]] = {name: [] for name, _url, _pids in targets}
    ratios: dict[str, list[float]] = {name: [] for name, _url, _pids in targets}
    for _round in range(args.rounds):
        for name, url, pids in targets[1:]:
            yardstick = batch(ceiling_url, ceiling_pids)
            cpu = batch(url, pids)
            samples["ceiling"].append(yardstick)
            samples[name].append(cpu)
            ratios["ceiling"].append(1.0)
            ratios[name].append(cpu / yardstick)
    print(f"scale {args.scale}, {args.rounds} rounds of {args.requests} requests a page")
    print(f"{'page':<24}{'CPU ms/request':>16}{'ratio':>8}")
    for name, values in samples.items():
        cpu, ratio = statistics.median(values), statistics.median(ratios[name])
        print(f"{name:<24}{cpu:>16.2f}{ratio:>8.2f}")


def grow(url: str, secret_key: str, scale: int) -> None:
    """Copy every built-in course (not the translations) `scale - 1` times under new slugs,
    with each assignment and each learner's progress and certificate of the original."""
    sys.path.insert(0, str(ROOT))  # before bench/, whose sandbox.py would shadow the package
    from sqlalchemy import select

    from portal import create_app
    from portal.authoring.models import Assignment
    from portal.courseformat.files import read_folder
    from portal.courseformat.reader import read_course
    from portal.extensions import db
    from portal.learning.importer import apply_bundle, course_folders
    from portal.learning.models import Certificate, Course, Lesson, LessonProgress
    from portal.learning.services import new_certificate_code

    app = create_app({"MODE": "demo", "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret_key})
    with app.app_context():
        for folder in course_folders(ROOT / "courses"):
            bundle = read_course(read_folder(folder))
            if bundle.translation_of:
                continue
            original = db.session.scalar(select(Course).where(Course.slug == bundle.slug))
            lessons = {
                lesson.id: lesson.key
                for lesson in db.session.scalars(
                    select(Lesson).where(Lesson.course_id == original.id)
                )
            }
            assignments = db.session.scalars(
                select(Assignment).where(Assignment.course_id == original.id)
            ).all()
            progress = db.session.scalars(
                select(LessonProgress).where(LessonProgress.course_id == original.id)
            ).all()
            certificates = db.session.scalars(
                select(Certificate).where(Certificate.course_id == original.id)
            ).all()
            for copy in range(1, scale):
                slug = f"{bundle.slug}-{copy}"[:80]
                title = f"{bundle.title} ({copy})"[:200]
                apply_bundle(bundle.model_copy(update={"slug": slug, "title": title}))
                course = db.session.scalar(select(Course).where(Course.slug == slug))
                by_key = {
                    lesson.key: lesson.id
                    for lesson in db.session.scalars(
                        select(Lesson).where(Lesson.course_id == course.id)
                    )
                }
                for row in assignments:
                    db.session.add(_copied(row, course_id=course.id))
                for row in progress:
                    lesson_id = by_key[lessons[row.lesson_id]]
                    db.session.add(_copied(row, course_id=course.id, lesson_id=lesson_id))
                for row in certificates:
                    code = new_certificate_code()
                    db.session.add(_copied(row, course_id=course.id, code=code, course_title=title))
        db.session.commit()


def _copied(row, **changes):
    """A new row of `row`'s model with its columns (not its id), then `changes`."""
    from sqlalchemy import inspect

    columns = inspect(type(row)).column_attrs
    values = {column.key: getattr(row, column.key) for column in columns if column.key != "id"}
    return type(row)(**{**values, **changes})


if __name__ == "__main__":
    main()
