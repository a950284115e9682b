"""Sign-off: executives (not admins) sign phases and gates; the history only grows."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.rollout import services
from portal.rollout.models import Phase, PhaseStatus, SignOff, SignOffImmutable
from portal.rollout.services import PhaseData, RolloutError
from tests.rollout.conftest import make_wave


@pytest.fixture
def phase(plan) -> Phase:
    phase = services.add_phase(plan, PhaseData(name="Training", status="in_progress"))
    db.session.commit()
    return phase


def _signoffs() -> int:
    return db.session.scalar(select(func.count(SignOff.id)))


def test_executive_signs_a_phase_off_and_history_grows(client, executive, phase):
    client.login(executive)
    response = client.post(
        f"/rollout/phases/{phase.id}/signoff",
        data={"decision": "go", "comment": "Everyone trained."},
    )
    assert response.status_code == 302
    client.post(
        f"/rollout/phases/{phase.id}/signoff",
        data={"decision": "no_go", "comment": "Reopened: Billing missed the quiz."},
    )
    history = list(db.session.scalars(select(SignOff).order_by(SignOff.id)))
    assert [(s.decision, s.signer_name) for s in history] == [
        ("go", executive.name),
        ("no_go", executive.name),
    ]
    assert history[0].comment == "Everyone trained." and history[0].signed_at is not None
    assert db.session.get(Phase, phase.id).status == PhaseStatus.DONE
    page = client.get(f"/rollout/phases/{phase.id}").get_data(as_text=True)
    assert "Everyone trained." in page and "Reopened: Billing missed the quiz." in page
    assert "cannot be edited or deleted" in page


def test_a_no_go_needs_a_comment_and_nothing_is_saved_without(client, executive, phase):
    client.login(executive)
    response = client.post(
        f"/rollout/phases/{phase.id}/signoff", data={"decision": "no_go", "comment": "  "}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'class="form-control is-invalid"' in page and "This field is required." in page
    assert _signoffs() == 0
    response = client.post(f"/rollout/phases/{phase.id}/signoff", data={"comment": "x"})
    assert response.status_code == 422 and "Choose go or no-go." in response.get_data(as_text=True)
    assert _signoffs() == 0


def test_signing_a_no_go_gate_needs_a_written_justification(
    client, executive, make, plan, evidence
):
    sales = make.department("Sales")
    make.user(roles=("learner",), department="Sales")
    evidence.assign(department=sales)
    wave = make_wave(plan, [sales], criteria={"completion_rate": 90})
    client.login(executive)

    response = client.post(
        f"/rollout/waves/{wave.id}/signoff", data={"decision": "go", "comment": "ok"}
    )
    assert response.status_code == 422
    assert "The gate says no-go: write why going live anyway is justified" in (
        response.get_data(as_text=True)
    )
    assert _signoffs() == 0

    justification = "Refresher booked for the last learner; their lead covers accounts."
    response = client.post(
        f"/rollout/waves/{wave.id}/signoff", data={"decision": "go", "comment": justification}
    )
    assert response.status_code == 302
    signoff = db.session.scalar(select(SignOff))
    assert signoff.decision == "override" and signoff.gate_status == "no_go"
    assert signoff.comment == justification
    assert signoff.evidence["criteria"][0]["kind"] == "completion_rate"
    assert signoff.evidence["criteria"][0]["value"] == 0
    page = client.get(f"/rollout/waves/{wave.id}").get_data(as_text=True)
    assert "Go, overriding a no-go gate" in page and justification in page


def test_a_go_gate_signs_without_justification(client, executive, make, plan, evidence):
    sales = make.department("Sales")
    evidence.certify(make.user(roles=("learner",), department="Sales"))
    evidence.assign(department=sales)
    wave = make_wave(plan, [sales], criteria={"completion_rate": 100})
    client.login(executive)
    assert (
        client.post(f"/rollout/waves/{wave.id}/signoff", data={"decision": "go"}).status_code == 302
    )
    signoff = db.session.scalar(select(SignOff))
    assert (signoff.decision, signoff.gate_status) == ("go", "go")


def test_sign_offs_cannot_be_changed_or_deleted(executive, phase):
    signoff = services.sign_phase(phase, executive, "go", "Signed.")
    db.session.commit()
    signoff.comment = "Rewritten history"
    with pytest.raises(SignOffImmutable):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(SignOff, signoff.id))
    with pytest.raises(SignOffImmutable):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(SignOff, signoff.id).comment == "Signed."


def test_the_database_itself_refuses_to_rewrite_or_delete_a_sign_off(executive, phase):
    """Past the models too: a bulk UPDATE or DELETE, as any other client could send."""
    from sqlalchemy import delete, update
    from sqlalchemy.exc import DatabaseError

    signoff = services.sign_phase(phase, executive, "go", "Signed.")
    db.session.commit()
    for statement in (
        update(SignOff).where(SignOff.id == signoff.id).values(comment="Rewritten"),
        update(SignOff).where(SignOff.id == signoff.id).values(decision="no_go"),
        delete(SignOff).where(SignOff.id == signoff.id),
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(statement)
        db.session.rollback()
    db.session.expire_all()
    kept = db.session.get(SignOff, signoff.id)
    assert (kept.comment, kept.decision) == ("Signed.", "go")


def test_deleting_the_signers_account_keeps_the_sign_off_under_their_name(make, phase):
    signer = make.user(roles=("executive",), name="Signing Exec")
    signoff = services.sign_phase(phase, signer, "go", "")
    db.session.commit()
    db.session.delete(signer)
    db.session.commit()
    db.session.expire_all()
    kept = db.session.get(SignOff, signoff.id)
    assert (kept.signer_id, kept.signer_name) == (None, "Signing Exec")


def test_what_has_been_signed_cannot_be_deleted(client, executive, plan, phase, make):
    wave = make_wave(plan, [make.department("Sales")], criteria={"completion_rate": 0})
    services.sign_phase(phase, executive, "go", "")
    services.sign_gate(wave, executive, "no_go", "Not yet.")
    db.session.commit()
    client.login(executive)
    for path in (
        f"/rollout/phases/{phase.id}/delete",
        f"/rollout/waves/{wave.id}/delete",
        f"/rollout/plans/{plan.id}/delete",
    ):
        response = client.post(path, follow_redirects=True)
        assert "kept as a record" in response.get_data(as_text=True), path
    assert _signoffs() == 2 and db.session.get(Phase, phase.id) is not None
    with pytest.raises(RolloutError):
        services.delete_plan(plan)


def test_there_is_no_route_that_edits_or_deletes_a_sign_off(app):
    rules = [rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("rollout.")]
    assert all("signoff" not in rule or rule.endswith("/signoff") for rule in rules)
    signing = [rule for rule in app.url_map.iter_rules() if rule.rule.endswith("/signoff")]
    assert signing and all(rule.methods - {"HEAD", "OPTIONS"} == {"POST"} for rule in signing)


@pytest.mark.parametrize("role", ["learner", "trainer", "admin"])
def test_only_executives_sign(client, make, phase, role):
    client.login(make.user(roles=(role,)))
    response = client.post(
        f"/rollout/phases/{phase.id}/signoff", data={"decision": "go", "comment": "me too"}
    )
    assert response.status_code == 403
    assert _signoffs() == 0
    with pytest.raises(RolloutError):
        services.sign_phase(phase, make.user(roles=(role,)), "go", "")


def test_admins_see_the_phase_but_no_sign_off_form(client, make, phase):
    client.login(make.user(roles=("admin",), department="IT"))
    page = client.get(f"/rollout/phases/{phase.id}").get_data(as_text=True)
    assert 'data-testid="executives-sign"' in page
    assert 'data-testid="signoff-form"' not in page


def test_the_plan_page_lists_every_sign_off(client, executive, plan, phase, make):
    wave = make_wave(
        plan,
        [make.department("Sales")],
        go_live_on=date.today() + timedelta(1),
        criteria={"completion_rate": 0},
    )
    services.sign_phase(phase, executive, "go", "Phase closed.")
    services.sign_gate(wave, executive, "no_go", "Wait for Billing.")
    db.session.commit()
    client.login(executive)
    page = client.get(f"/rollout/plans/{plan.id}").get_data(as_text=True)
    assert 'Phase: <bdi dir="auto">Training</bdi>' in page
    assert 'Gate: <bdi dir="auto">Pilot</bdi>' in page
    assert "Phase closed." in page and "Wait for Billing." in page


AM_PM = re.compile(r"\b[AaPp]\.?[Mm]\b")
SHOWN_TIME = re.compile(r'<bdi><time datetime="([^"]+)">([^<]+)</time></bdi>')


@pytest.mark.parametrize("locale", ["ur", "hi"])
def test_signoff_times_read_in_the_locale_without_english_am_pm(
    client, executive, plan, phase, locale
):
    """Signed at 15:49: English says "3:49 PM"; Urdu and Hindi pages show a 24-hour time
    inside <bdi><time>, so it does not read "PM 3:49 2/12/26" right to left."""
    afternoon = datetime.combine(date.today() - timedelta(days=1), time(15, 49), tzinfo=UTC)
    db.session.add(
        SignOff(
            plan_id=plan.id,
            phase_id=phase.id,
            signer_name="Erum Executive",
            signed_at=afternoon,
            decision="go",
            comment="Pilot done.",
        )
    )
    db.session.commit()
    client.login(executive)
    client.post(
        f"/rollout/phases/{phase.id}/signoff",
        data={"decision": "go", "comment": "Everyone trained."},
    )
    english = client.get(f"/rollout/phases/{phase.id}").get_data(as_text=True)
    assert AM_PM.search(english[english.index('data-testid="signoffs"') :])

    client.post("/language", data={"locale": locale})
    for url in (f"/rollout/phases/{phase.id}", f"/rollout/plans/{plan.id}"):
        page = client.get(url).get_data(as_text=True)
        history = page[page.index('data-testid="signoffs"') :]
        history = history[: history.index("</table>")]
        times = SHOWN_TIME.findall(history)
        assert len(times) == 2, url
        assert any("15:49" in shown for _iso, shown in times), times
        for iso, shown in times:
            assert re.search(r"\b\d\d:\d\d\b", shown), shown
            assert not AM_PM.search(shown), shown
            assert iso[:4] in shown or iso[2:4] in shown
        assert not AM_PM.search(re.sub(r"<[^>]+>", "", history)), url
