"""The readiness dashboard: heatmap, timeline, chart data, risks, goals, drill-down,
CSV exports, and a fixed number of statements however many learners there are."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.authoring.models import Assignment
from portal.database import utcnow
from portal.extensions import db
from portal.rollout import services
from tests.factories import user_form
from tests.rollout.conftest import add_phase, make_wave


def _populate(make, evidence, count: int, offset: int = 0) -> None:
    """`count` learners in Sales and Billing at different stages."""
    for n in range(offset, offset + count):
        department = "Sales" if n % 2 else "Billing"
        learner = make.user(roles=("learner",), department=department, name=f"Learner {n:03d}")
        if n % 3 == 0:
            evidence.certify(learner, when=datetime.now(UTC) - timedelta(days=n % 20))
        evidence.quiz(learner, 40 + n % 60)
        evidence.exercise(learner, passed=n % 4 != 0)
        evidence.views(learner, n % 5)
        evidence.practice(learner, n % 7)


@pytest.fixture
def organisation(make, plan, evidence):
    sales, billing = make.department("Sales"), make.department("Billing")
    evidence.assign(department=sales, due_on=date.today() - timedelta(days=3))
    evidence.assign(department=billing, due_on=date.today() + timedelta(days=10))
    for name, first, last, status in (
        ("Pilot", -40, -10, "done"),
        ("Training", -9, 20, "in_progress"),
        ("Go-live", 21, 30, "planned"),
    ):
        add_phase(plan, name, status, first, last)
    services.save_goal(plan, services.GoalData("short", "Half certified", "completion_rate", 50))
    db.session.commit()
    make_wave(
        plan,
        [sales],
        go_live_on=date.today() - timedelta(days=1),
        criteria={"completion_rate": 90, "avg_quiz_score": 80},
    )
    make_wave(plan, [billing], name="Wave 2", go_live_on=date.today() + timedelta(days=24))
    return sales, billing


def test_the_dashboard_shows_every_part(client, executive, make, evidence, organisation, plan):
    _populate(make, evidence, 12)
    client.login(executive)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    heatmap = page[page.index('data-testid="heatmap"') :]
    assert "Billing" in heatmap and "Sales" in heatmap and 'data-level="' in heatmap
    assert 'data-testid="timeline"' in page and 'data-testid="today"' in page
    assert 'data-testid="at-risk"' in page and "Half certified" in page
    assert 'id="proficiency"' in page and 'data-testid="waves"' in page
    assert "dashboard/static/print.css" in page and 'media="print"' in page
    assert "vendor/chart.js/chart.umd.min.js" in page and "dashboard/static/dashboard.js" in page
    assert "<script>" not in page  # no inline script: the CSP would block it

    chart = json.loads(
        re.search(
            r'<script type="application/json" id="completions-data">(.*?)</script>', page, re.S
        ).group(1)
    )
    weekly = chart["datasets"]["weekly"]["data"]
    assert sum(n for n in weekly if n) == 4  # learners 0, 3, 6, 9 are certified
    assert chart["datasets"]["planned"]["data"][-1] >= 6  # Sales' six learners were due
    table = page[page.index('data-testid="completions-table"') :]
    table = table[: table.index("</table>")]
    assert table.count("<tr") == len(chart["labels"]) + 1  # the same numbers, as a table


def test_heatmap_values_for_a_department(client, executive, make, evidence, organisation):
    sales, _billing = organisation
    first = make.user(roles=("learner",), department="Sales")
    second = make.user(roles=("learner",), department="Sales")
    evidence.certify(first)
    evidence.quiz(first, 90)
    evidence.quiz(second, 50)
    client.login(executive)
    page = client.get("/dashboard/").get_data(as_text=True)
    row = re.search(rf'<tr data-department="{sales.id}">(.*?)</tr>', page, re.S).group(1)
    cells = re.findall(r'data-level="(\w+)"[^>]*>\s*([^<]+?)<', row)
    assert cells[0] == ("bad", "50%")  # completion against the wave's 90%
    assert cells[1] == ("warn", "70%")  # quiz average against 80%
    assert cells[2] == ("bad", "0%")  # nobody passed the exercise
    assert cells[3] == ("bad", "0")  # no practice in the sandbox, against the usual 5


@pytest.mark.parametrize(
    "page",
    [
        "/dashboard/",
        "/rollout/plans/{plan}",
        "/rollout/waves/{wave}",
        "/dashboard/departments/{sales}",
    ],
)
def test_a_fixed_number_of_statements_whatever_the_size(
    client, executive, make, evidence, organisation, plan, count_queries, page
):
    sales, _billing = organisation
    wave = plan.waves[0]
    path = page.format(plan=plan.id, wave=wave.id, sales=sales.id)
    client.login(executive)
    _populate(make, evidence, 4)
    client.get(path)
    with count_queries() as small:
        assert client.get(path).status_code == 200
    _populate(make, evidence, 40, offset=4)
    with count_queries() as large:
        assert client.get(path).status_code == 200
    assert small.count == large.count, (small.statements, large.statements)


def test_drill_down_from_department_to_learner(client, executive, make, evidence, organisation):
    sales, _billing = organisation
    learner = make.user(roles=("learner",), department="Sales", name="Zara Qadir")
    evidence.quiz(learner, 55, 65, 45)
    evidence.exercise(learner, passed=False)
    client.login(executive)
    home = client.get("/dashboard/").get_data(as_text=True)
    assert f'href="/dashboard/departments/{sales.id}"' in home
    department = client.get(f"/dashboard/departments/{sales.id}").get_data(as_text=True)
    assert "Zara Qadir" in department and f'href="/dashboard/learners/{learner.id}"' in department
    assert "stuck on 1 quiz" in department and "overdue 3 days" in department
    record = client.get(f"/dashboard/learners/{learner.id}").get_data(as_text=True)
    assert "Zara Qadir" in record and "Basics quiz" in record and "Hands-on" in record
    assert "Sample course" in record and "Not yet" in record
    assert client.get(f"/dashboard/learners/{executive.id}").status_code == 404
    assert client.get("/dashboard/departments/9999").status_code == 404


def test_csv_exports_neutralise_formulas(client, executive, make, evidence, organisation):
    make.user(roles=("learner",), department="Sales", name="=HYPERLINK(evil)")
    make.user(roles=("learner",), department="Sales", name="@SUM(A1)")
    make.user(roles=("learner",), department="Sales", name="+cmd")
    evil = make.department("-2+3")
    make.user(roles=("learner",), department=evil.name, name="Minus Team")
    client.login(executive)
    response = client.get("/dashboard/export/at-risk.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    names = [row[0] for row in csv.reader(io.StringIO(response.get_data(as_text=True)))]
    assert "'=HYPERLINK(evil)" in names and "'@SUM(A1)" in names and "'+cmd" in names
    assert "=HYPERLINK(evil)" not in names
    departments = client.get("/dashboard/export/departments.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(departments)))
    assert rows[0][:3] == ["department", "wave", "learners"]
    assert ["'-2+3", "", "1"] == rows[[r[0] for r in rows].index("'-2+3")][:3]
    for table in ("completions", "proficiency", "goals", "waves"):
        assert client.get(f"/dashboard/export/{table}.csv").status_code == 200, table
    learners = client.get(f"/dashboard/departments/{organisation[0].id}/learners.csv")
    assert "'=HYPERLINK(evil)" in learners.get_data(as_text=True)
    assert client.get("/dashboard/export/secrets.csv").status_code == 404


def test_time_to_proficiency_is_the_median_by_department(
    client, executive, make, evidence, organisation
):
    now = datetime.now(UTC)
    for days in (2, 4, 10):
        learner = make.user(roles=("learner",), department="Sales")
        learner.first_login_at = now - timedelta(days=20)
        db.session.commit()
        evidence.certify(learner, when=now - timedelta(days=20 - days))
    client.login(executive)
    page = client.get("/dashboard/").get_data(as_text=True)
    table = page[page.index('data-testid="proficiency"') :]
    assert re.search(r"Sales</th><td[^>]*>3</td><td[^>]*>4\.0</td>", table)


def test_the_dashboard_without_any_plan(client, executive, make):
    make.user(roles=("learner",), department="Sales")
    client.login(executive)
    page = client.get("/dashboard/").get_data(as_text=True)
    assert "No rollout plan yet." in page and 'data-testid="heatmap"' in page


def test_a_late_joiner_is_not_overdue_nor_at_risk(
    client, executive, make, evidence, organisation, plan
):
    """Sales's course was due 3 days ago. Someone imported into Sales now (and someone
    moved there now) has 14 days from joining: not overdue, not at risk, and their new
    account is not "inactive"; the colleague who was there all along is overdue."""
    from io import BytesIO

    from portal.accounts.models import User
    from portal.rollout.gates import evaluate_gate

    sales, billing = organisation
    make.user(roles=("learner",), department="Sales", name="Vera Veteran")
    mover = make.user(roles=("learner",), department="Billing", name="Moe Mover")
    admin = make.user(roles=("admin",), department="IT")
    client.login(admin)
    roster = b"name,email,department,roles\nNia Newcomer,nia@example.test,Sales,learner\n"
    response = client.post("/admin/users/import", data={"file": (BytesIO(roster), "roster.csv")})
    assert response.status_code in (200, 302)
    newcomer = db.session.scalar(select(User).where(User.email == "nia@example.test"))
    assert newcomer is not None and newcomer.department_id == sales.id
    edit = client.get(f"/admin/users/{mover.id}").get_data(as_text=True)
    assert "Moe Mover" in edit
    mover.department_id = sales.id  # as the admin's edit form and the roster import do
    db.session.commit()

    client.login(executive)
    page = client.get("/dashboard/").get_data(as_text=True)
    at_risk = page[page.index('data-testid="at-risk"') :]
    at_risk = at_risk[: at_risk.index("</table>")]
    assert "Vera Veteran" in at_risk and "overdue 3 days" in at_risk
    assert "no activity in 14 days" in at_risk
    assert "Nia Newcomer" not in at_risk
    # The mover's account is old: idle, they may be at risk, but they are not overdue.
    moved_risks = re.search(rf'data-learner="{mover.id}".*?</tr>', at_risk, re.S)
    assert moved_risks is None or "overdue" not in moved_risks.group(0)
    department = client.get(f"/dashboard/departments/{sales.id}").get_data(as_text=True)
    row = re.search(rf'href="/dashboard/learners/{newcomer.id}".*?</tr>', department, re.S)
    assert row and "overdue" not in row.group(0) and "no activity" not in row.group(0)
    moved = re.search(rf'href="/dashboard/learners/{mover.id}".*?</tr>', department, re.S)
    assert moved and "overdue" not in moved.group(0)
    record = client.get(f"/dashboard/learners/{newcomer.id}").get_data(as_text=True)
    assert "overdue" not in record.lower()

    wave = make_wave(
        plan,
        [sales],
        name="Late wave",
        go_live_on=date.today() + timedelta(days=30),
        criteria={"max_overdue_days": 0},
    )
    overdue = next(c for c in evaluate_gate(wave).criteria if c.kind == "max_overdue_days")
    assert [h.name for h in overdue.learners] == ["Vera Veteran"]


def test_a_late_joiner_past_their_own_date_is_overdue_from_it(
    client, executive, make, evidence, organisation
):
    """The course was assigned 40 days ago, due 30 days ago. Joined 20 days ago: due 14
    days after joining, so overdue by 6 days, not by the department's 30."""
    sales, _billing = organisation
    assignment = db.session.scalar(select(Assignment).where(Assignment.department_id == sales.id))
    assignment.created_at = utcnow() - timedelta(days=40)
    assignment.due_on = date.today() - timedelta(days=30)
    db.session.commit()
    late = make.user(roles=("learner",), department="Sales", name="Lina Late", joined_days_ago=20)
    client.login(executive)
    department = client.get(f"/dashboard/departments/{sales.id}").get_data(as_text=True)
    row = re.search(rf'href="/dashboard/learners/{late.id}".*?</tr>', department, re.S)
    assert row and "overdue 6 days" in row.group(0)


def test_a_learner_record_counts_a_course_finished_in_its_translation(
    client, executive, make, evidence, organisation
):
    """Certified in the Urdu version of Sales's English course: the record shows the
    course finished (100%, the certificate), not 0 of its lessons."""
    from tests.rollout.conftest import add_course

    urdu = add_course("sample-course-ur", language="ur", translation_of="sample-course")
    learner = make.user(roles=("learner",), department="Sales", name="Uzma Urdu", locale="en")
    evidence.certify(learner, course=urdu)
    client.login(executive)
    record = client.get(f"/dashboard/learners/{learner.id}").get_data(as_text=True)
    courses = record[record.index('data-testid="learner-courses"') :]
    courses = courses[: courses.index("</table>")]
    assert 'aria-valuenow="100"' in courses and "finished in another language" in courses
    assert "Overdue" not in courses


def test_a_learner_moved_by_the_admin_form_is_due_days_after_the_move(
    app, client, executive, make, organisation
):
    """Sales's course was assigned 30 days ago, due 3 days ago, with 9 days for late
    joiners. An admin moves a long-standing Billing learner to Sales on /admin/users/<id>:
    the move is when they join Sales, so My learning says the course is due 9 days from
    today, and the dashboard does not call them overdue; the colleague who was in Sales
    all along is."""
    sales, _billing = organisation
    assignment = db.session.scalar(select(Assignment).where(Assignment.department_id == sales.id))
    assignment.created_at = utcnow() - timedelta(days=30)
    assignment.late_joiner_days = 9
    db.session.commit()
    make.user(roles=("learner",), department="Sales", name="Vera Veteran")
    mover = make.user(
        roles=("learner",), department="Billing", name="Moe Mover", joined_days_ago=200
    )
    admin = app.test_client()
    admin.login(make.user(roles=("admin",), department="IT"))
    response = admin.post(
        f"/admin/users/{mover.id}",
        data=user_form(
            mover, ["learner"], department_id=sales.id, job_title=mover.job_title, locale="en"
        ),
    )
    assert response.status_code == 302

    learner = app.test_client()
    learner.login(mover)
    home = " ".join(re.sub(r"<[^>]+>", "", learner.get("/learn/").get_data(as_text=True)).split())
    due = date.today() + timedelta(days=9)
    assert f"Due {due.strftime('%b')} {due.day}, {due.year} (9 days after you joined)" in home
    assert "Overdue" not in home

    client.login(executive)
    page = client.get("/dashboard/").get_data(as_text=True)
    at_risk = page[page.index('data-testid="at-risk"') :]
    at_risk = at_risk[: at_risk.index("</table>")]
    assert "Vera Veteran" in at_risk and "overdue 3 days" in at_risk
    moved_risks = re.search(rf'data-learner="{mover.id}".*?</tr>', at_risk, re.S)
    assert moved_risks is None or "overdue" not in moved_risks.group(0)
    department = client.get(f"/dashboard/departments/{sales.id}").get_data(as_text=True)
    moved = re.search(rf'href="/dashboard/learners/{mover.id}".*?</tr>', department, re.S)
    assert moved and "overdue" not in moved.group(0)
    record = client.get(f"/dashboard/learners/{mover.id}").get_data(as_text=True)
    assert "overdue" not in record.lower()
