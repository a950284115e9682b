"""Sign-off of phases and wave gates. A sign-off can only be added: nothing here (or
anywhere) changes or deletes one."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.database import utcnow
from portal.extensions import db
from portal.rollout.gates import evaluate_gate
from portal.rollout.models import Decision, Phase, PhaseStatus, SignOff, Wave
from portal.rollout.services.common import RolloutError, clean_text

MIN_JUSTIFICATION = 20  # characters: a sentence, not "ok"


# Sign-off


def _check_signer(signer: User) -> None:
    if not signer.has_role(Role.EXECUTIVE):
        raise RolloutError(_("Only executives sign off."))


def _decision(value: str) -> Decision:
    if value not in (Decision.GO.value, Decision.NO_GO.value):
        raise RolloutError(_("Choose go or no-go."), "decision")
    return Decision(value)


def _record(
    signer: User, chosen: Decision, comment: str, signed_at: datetime | None, **fields
) -> SignOff:
    """Add a sign-off by `signer`; a no-go needs a comment. `fields` say what is signed."""
    signoff = SignOff(
        signer_id=signer.id,
        signer_name=signer.name,
        decision=chosen.value,
        comment=clean_text(comment, "comment", 4000, required=chosen == Decision.NO_GO),
        signed_at=signed_at or utcnow(),
        **fields,
    )
    db.session.add(signoff)
    return signoff


def sign_phase(
    phase: Phase, signer: User, decision: str, comment: str, *, signed_at: datetime | None = None
) -> SignOff:
    """Record an executive's go or no-go on a phase; a go marks the phase done.

    `signed_at` is for recording history (the demo organisation); views never pass it.
    """
    _check_signer(signer)
    chosen = _decision(decision)
    signoff = _record(
        signer,
        chosen,
        comment,
        signed_at,
        plan_id=phase.plan_id,
        phase_id=phase.id,
        evidence={
            "status": phase.status,
            "milestones_done": sum(1 for m in phase.milestones if m.done),
            "milestones": len(phase.milestones),
        },
    )
    if chosen == Decision.GO:
        phase.status = PhaseStatus.DONE.value
    db.session.flush()
    return signoff


def sign_gate(
    wave: Wave,
    signer: User,
    decision: str,
    comment: str,
    today: date | None = None,
    *,
    signed_at: datetime | None = None,
) -> SignOff:
    """Record a decision on a wave's gate, with the gate's live evidence attached.

    A go while the gate says no-go is an override and needs a written justification.
    `signed_at` is for recording history (the demo organisation); views never pass it.
    """
    _check_signer(signer)
    chosen = _decision(decision)
    gate = evaluate_gate(wave, today=today)
    comment = (comment or "").strip()
    if chosen == Decision.GO and not gate.go:
        if len(comment) < MIN_JUSTIFICATION:
            raise RolloutError(
                _(
                    "The gate says no-go: write why going live anyway is justified "
                    "(at least %(num)d characters).",
                    num=MIN_JUSTIFICATION,
                ),
                "comment",
            )
        chosen = Decision.OVERRIDE
    signoff = _record(
        signer,
        chosen,
        comment,
        signed_at,
        plan_id=wave.plan_id,
        wave_id=wave.id,
        gate_status=gate.status,
        evidence=gate.snapshot(),
    )
    db.session.flush()
    return signoff
