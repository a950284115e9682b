"""Adoption pages for executives, on the rollout blueprint (executives and admins only):
every wave's adoption in the CRM after go-live, and one page per wave with its training
evidence before go-live beside its adoption after it."""

from __future__ import annotations

from portal import clock
from portal.adoption import queries
from portal.database import utcnow
from portal.rendering import render
from portal.rollout import queries as rollout_queries
from portal.rollout.gates import evaluate_gate
from portal.rollout.views.base import bp, plan_or_404, wave_or_404


@bp.get("/adoption")
def adoption_home():
    """Adoption per wave and department: active against trained people, last week."""
    now = utcnow()
    today = clock.local_date(now)
    weeks = queries.shown_weeks(None, today, 1)
    waves = rollout_queries.all_waves(departments=True)
    live = {
        wave.id: {d.id for d in wave.departments} for wave, _ in waves if wave.go_live_on <= today
    }
    # One reading for every live department, shared out to the waves: the page's statements
    # do not grow with the number of waves.
    everyone = queries.adoption(set().union(*live.values()), weeks, now)
    rows = [
        (wave, plan_name, wave.id in live, everyone.only(live.get(wave.id, set())))
        for wave, plan_name in waves
    ]
    return render("adoption/overview.html", rows=rows, week=weeks[0], today=today)


@bp.get("/waves/<int:wave_id>/adoption")
def wave_adoption(wave_id: int):
    """One wave: its training evidence before go-live and its adoption after it."""
    wave = wave_or_404(wave_id)
    now = utcnow()
    today = clock.local_date(now)
    plan = plan_or_404(wave.plan_id)
    signoffs = rollout_queries.signoffs(plan, wave=wave)
    return render(
        "adoption/wave.html",
        plan=plan,
        wave=wave,
        today=today,
        gate=evaluate_gate(wave, now=now),
        decision=signoffs[0] if signoffs else None,
        found=queries.wave_adoption(wave, today, now),
    )
