"""The yardstick for the learner pages: what Flask, SQLAlchemy and SQLite cost on their own.

One page reads 50 rows through the ORM and renders them as a table through a Jinja template
that extends a layout, the shape of a portal list page with nothing of the portal in it.
bench/pages.py serves it under gunicorn beside the portal:

    gunicorn -c gunicorn.conf.py --no-control-socket "bench.ceiling_app:create_app()"

CEILING_DATABASE names the SQLite file (made and filled on first start; default: a file in
the system's temporary folder).
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from datetime import UTC, datetime, timedelta

from flask import Flask, render_template
from jinja2 import DictLoader
from sqlalchemy import DateTime, Integer, String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

ROWS = 50

LAYOUT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{% block title %}{% endblock %}</title>
</head><body><nav><a href="/">Home</a></nav><main>{% block main %}{% endblock %}</main>
</body></html>"""

PAGE = """{% extends "layout.html" %}
{% block title %}Tickets{% endblock %}
{% block main %}<h1>Tickets</h1>
<table><thead><tr><th>Subject</th><th>Status</th><th>Priority</th><th>Opened</th></tr></thead>
<tbody>{% for row in rows %}
<tr><td><a href="/tickets/{{ row.id }}">{{ row.subject }}</a></td><td>{{ row.status }}</td>
<td>{{ row.priority }}</td><td>{{ row.opened_at.strftime("%d %b %Y %H:%M") }}</td></tr>
{% endfor %}</tbody></table>{% endblock %}"""


class Base(DeclarativeBase):
    pass


class Ticket(Base):
    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    priority: Mapped[str] = mapped_column(String(20))
    opened_at: Mapped[datetime] = mapped_column(DateTime)


def _fill(engine) -> None:
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        if session.scalar(select(Ticket.id).limit(1)) is None:
            start = datetime(2026, 1, 1, 9, tzinfo=UTC)
            session.add_all(
                Ticket(
                    subject=f"Ticket number {i}",
                    status=("open", "pending", "closed")[i % 3],
                    priority=("low", "normal", "high")[i % 3],
                    opened_at=start + timedelta(hours=i),
                )
                for i in range(ROWS)
            )
            session.commit()


def create_app() -> Flask:
    path = os.environ.get("CEILING_DATABASE") or os.path.join(
        tempfile.gettempdir(), "ceiling-bench.db"
    )
    engine = create_engine(f"sqlite:///{path}")
    # gunicorn's workers start at once: one makes and fills the file, the others wait for it.
    with open(f"{path}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _fill(engine)

    app = Flask(__name__)
    app.jinja_loader = DictLoader({"layout.html": LAYOUT, "page.html": PAGE})

    @app.get("/")
    def page():
        with Session(engine) as session:
            rows = session.scalars(select(Ticket).order_by(Ticket.id).limit(ROWS)).all()
            return render_template("page.html", rows=rows)

    return app
