"""The demo rollout: built by the real learning services, meaningful, idempotent."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.extensions import db
from portal.learning.models import Certificate, ExerciseAttempt, QuizAttempt
from portal.rollout.gates import evaluate_gate
from portal.rollout.models import Plan, SignOff, Wave
from seed.rollout_demo import DEMO_PLAN, create_demo_rollout


def test_demo_rollout_is_meaningful_and_made_once(app_ctx, client):
    counts = create_demo_rollout()
    db.session.commit()
    assert counts.created and counts.learners > 20 and counts.certificates > 10
    plan = db.session.scalar(select(Plan).where(Plan.name == DEMO_PLAN))
    assert [p.status for p in plan.phases].count("in_progress") == 1
    assert next(p for p in plan.phases if p.status == "in_progress").name == "Training"
    waves = list(db.session.scalars(select(Wave).order_by(Wave.go_live_on)))
    assert len(waves) == 3
    pilot, second = waves[0], waves[1]
    assert pilot.go_live_on < plan.target_go_live and second.go_live_on > pilot.go_live_on
    pilot_gate = evaluate_gate(pilot)
    assert pilot_gate.learners > 5
    completion = next(c for c in pilot_gate.criteria if c.kind == "completion_rate").value
    second_completion = next(
        c for c in evaluate_gate(second).criteria if c.kind == "completion_rate"
    ).value
    assert completion > second_completion > 0  # the pilot is further along
    failed = db.session.scalar(
        select(func.count(QuizAttempt.id)).where(QuizAttempt.passed.is_(False))
    )
    assert failed > 0  # wrong answers too, as people give them
    issued = sorted(db.session.scalars(select(Certificate.issued_at)))
    assert (issued[-1] - issued[0]).days >= 14  # spread over weeks, not one afternoon
    assert db.session.scalar(select(func.count(SignOff.id))) == 4  # three phases, the pilot
    # Some hands-on work is unfinished, so the trainer's per-check statistics say something.
    attempts = db.session.scalars(select(ExerciseAttempt)).all()
    unfinished = [a for a in attempts if not a.passed]
    assert unfinished and len(unfinished) < len(attempts)
    failing = {r["key"] for a in unfinished for r in a.results if not r["passed"]}
    passing = {r["key"] for a in unfinished for r in a.results if r["passed"]}
    assert len(failing) > 1 and passing  # partly done, not all alike

    again = create_demo_rollout()
    assert not again.created
    assert db.session.scalar(select(func.count(Plan.id))) == 1

    from seed.people import DEMO_PASSWORD

    client.login("exec@demo.test", DEMO_PASSWORD)
    page = client.get("/dashboard/").get_data(as_text=True)
    assert DEMO_PLAN in page and "Customer Service" in page and "Pilot: Sales" in page
