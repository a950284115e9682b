"""The gate reads only the learners it may name: it must name exactly whom judging every
learner's evidence row in Python names, however names sort and however shortfalls tie;
and the two ways of finding the oldest overdue course must agree."""

from __future__ import annotations

import heapq
import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.rollout import evidence as evidence_sql
from portal.rollout.evidence.catalogue import Catalogue
from portal.rollout.gates import NAMED_LEARNERS, evaluate_gate, holders
from portal.rollout.metrics import GATE_METRICS, Metric
from tests.rollout.conftest import Evidence, add_course, make_wave

# Names whose order differs between Python's str.lower() and SQL's lower() or collations:
# accents, other scripts, case pairs, spaces and punctuation, the same name twice.
NAMES = [
    "Émile",
    "emile",
    "Zoë",
    "zoe",
    "ZOE",
    "Ödön",
    "aaron",
    "Aaron",
    "Bob",
    "bob",
    "Łukasz",
    "ǆemal",
    "Ǆemal",
    "Ωmega",
    "a b",
    "ab",
    "a-b",
    "محمد علی",
    "İlker",
    "ılker",
    "Straße",
    "STRASSE",
    "~tilde",
    "Zed",
    "Bob",
]


def _full_judgement(wave, today: date, now: datetime) -> dict[str, tuple[int, list]]:
    """Per criterion: how many hold it back and whom it names, from every learner's row
    of the evidence relation, judged in Python (what the gate did before it read only
    the learners it may name)."""
    catalogue = evidence_sql.load_catalogue()
    relation = evidence_sql.learner_evidence(catalogue, [d.id for d in wave.departments])
    rows = evidence_sql.read_summary(
        evidence_sql.summary(relation, select(relation)), today, now
    ).learners
    judged = {}
    for criterion in wave.criteria:
        found = holders(Metric(criterion.kind), criterion.threshold, rows, today)
        named = heapq.nsmallest(
            NAMED_LEARNERS, found, key=lambda item: (item[0], item[1].name.lower(), item[1].user_id)
        )
        judged[criterion.kind] = (len(found), [learner.user_id for _, learner in named])
    return judged


def _gate_judgement(wave, today: date, now: datetime) -> dict[str, tuple[int, list]]:
    gate = evaluate_gate(wave, today=today, now=now)
    return {c.kind: (c.learners_total, [h.user_id for h in c.learners]) for c in gate.criteria}


def _mixed_organisation(make, evidence: Evidence, rng: random.Random):
    """Two departments of learners with tricky names and varied evidence: certificates
    in two languages, quizzes and exercises, practice, courses due in the past and
    required by name."""
    sales, billing = make.department("Sales"), make.department("Billing")
    urdu = add_course("sample-course-ur", language="ur", translation_of="sample-course")
    second = add_course("second-course")
    today = date.today()
    evidence.assign(department=sales, due_on=today - timedelta(days=9))
    evidence.assign(department=billing, due_on=today + timedelta(days=5))
    evidence.assign(department=billing, course=second, due_on=today - timedelta(days=3))
    people = []
    for number in range(48):
        department = "Sales" if number % 3 else "Billing"
        name = NAMES[number % len(NAMES)] if number % 4 else f"Learner {number:02d}"
        people.append(make.user(roles=("learner",), department=department, name=name))
    for person in people:
        roll = rng.random()
        if roll < 0.35:
            evidence.certify(person, course=urdu if rng.random() < 0.4 else None)
        if rng.random() < 0.2:
            evidence.certify(person, course=second)
        if rng.random() < 0.15:  # a course of their own, due some days ago
            evidence.assign(
                user=person, course=second, due_on=today - timedelta(days=rng.choice([1, 9, 20]))
            )
        if rng.random() < 0.7:
            evidence.quiz(person, *[rng.choice([40, 60, 70, 80, 90]) for _ in range(2)])
        if rng.random() < 0.6:
            evidence.exercise(person, passed=rng.random() < 0.6)
        if rng.random() < 0.6:
            evidence.practice(person, rng.choice([1, 2, 5, 8]))
    return sales, billing


def test_names_sort_as_python_sorts_them_among_tied_learners(make, plan, evidence):
    sales = make.department("Sales")
    evidence.assign(department=sales)
    people = [make.user(roles=("learner",), department="Sales", name=name) for name in NAMES]
    for person in people[:6]:
        evidence.quiz(person, 40)
    for person in people[6:]:
        evidence.quiz(person, 50)  # the tenth worst is among these: names decide
    wave = make_wave(plan, [sales], criteria={"completion_rate": 90, "avg_quiz_score": 80})

    gate = evaluate_gate(wave)
    completion, quiz = gate.criteria
    by_name = sorted(people, key=lambda p: (p.name.lower(), p.id))
    assert [h.user_id for h in completion.learners] == [p.id for p in by_name[:NAMED_LEARNERS]]
    assert completion.learners_total == len(NAMES)
    worst = sorted(people, key=lambda p: (people.index(p) >= 6, p.name.lower(), p.id))
    assert [h.user_id for h in quiz.learners] == [p.id for p in worst[:NAMED_LEARNERS]]
    assert quiz.learners_total == len(NAMES)


def test_the_gate_names_whom_every_learner_row_judged_in_python_names(make, plan, evidence):
    sales, billing = _mixed_organisation(make, evidence, random.Random(5))
    wave = make_wave(plan, [sales, billing], criteria={kind.value: 0 for kind in GATE_METRICS})
    thresholds = {
        Metric.COMPLETION_RATE: (0, 50, 100),
        Metric.AVG_QUIZ_SCORE: (60, 70, 100),
        Metric.EXERCISE_PASS_RATE: (0, 100, 100),
        Metric.PRACTICE_ACTIONS_14D: (2, 5, 9),
        Metric.MAX_OVERDUE_DAYS: (0, 8, 30),
    }
    now = datetime.now(UTC)
    for shift in (0, 5, 25):
        today = now.date() + timedelta(days=shift)
        for choice in range(3):
            for criterion in wave.criteria:
                criterion.threshold = thresholds[Metric(criterion.kind)][choice]
            assert _gate_judgement(wave, today, now) == _full_judgement(wave, today, now), (
                shift,
                choice,
            )


def test_overdue_from_constants_agrees_with_matching_certificates(make, evidence, monkeypatch):
    sales, billing = _mixed_organisation(make, evidence, random.Random(8))
    now = datetime.now(UTC)

    def overdue(today: date) -> dict[int, date | None]:
        catalogue = evidence_sql.load_catalogue()
        relation = evidence_sql.learner_evidence(catalogue, [sales.id, billing.id])
        rows = evidence_sql.read_summary(
            evidence_sql.summary(relation, select(relation)), today, now
        ).learners
        return {row.user_id: row.overdue_since for row in rows}

    days = [now.date() + timedelta(days=shift) for shift in (-30, -3, 0, 5, 9, 25)]
    fast = [overdue(day) for day in days]
    assert evidence_sql.load_catalogue().family_bits  # the expression was used
    monkeypatch.setattr(Catalogue, "family_bits", property(lambda self: {}))
    assert [overdue(day) for day in days] == fast
    assert any(day is not None for found in fast for day in found.values())


def test_a_certificate_of_an_unpublished_course_counts_as_it_did(make, plan, evidence, course):
    """A published translation of a course no longer published: a certificate of the
    original does not complete it, but it is not overdue either (as the certificates
    have always been matched); the gate falls back to matching them."""
    sales = make.department("Sales")
    urdu = add_course("sample-course-ur", language="ur", translation_of="sample-course")
    course.published = False
    db.session.commit()
    learner, late = (
        make.user(roles=("learner",), department="Sales", name=name)
        for name in ("Learner 00", "Learner 01")
    )
    Evidence(urdu).assign(department=sales, due_on=date.today() - timedelta(days=4))
    evidence.certify(learner)  # the original, not published
    wave = make_wave(plan, [sales], criteria={"completion_rate": 50, "max_overdue_days": 0})
    assert evidence_sql.load_catalogue().family_bits == {}

    completion, overdue = evaluate_gate(wave).criteria
    assert completion.value == 0 and completion.learners_total == 2
    assert overdue.value == 4
    assert [(h.user_id, h.detail) for h in overdue.learners] == [(late.id, "4 days overdue")]


def test_criteria_thresholds_are_parameters_of_one_statement(make, plan, evidence):
    sales = make.department("Sales")
    evidence.assign(department=sales)
    for number, actions in enumerate((0, 3, 6, 9)):
        person = make.user(roles=("learner",), department="Sales", name=f"Learner {number}")
        if actions:
            evidence.practice(person, actions)
    wave = make_wave(plan, [sales], criteria={"practice_actions_14d": 5})
    held = []
    for threshold in (0, 3, 3.5, 9, 10):
        wave.criteria[0].threshold = threshold
        practice = evaluate_gate(wave).criteria[0]
        held.append((practice.learners_total, [h.detail for h in practice.learners]))
    assert held == [
        (0, []),
        (1, ["0 practice actions"]),
        (2, ["0 practice actions", "3 practice actions"]),
        (3, ["0 practice actions", "3 practice actions", "6 practice actions"]),
        (
            4,
            [
                "0 practice actions",
                "3 practice actions",
                "6 practice actions",
                "9 practice actions",
            ],
        ),
    ]


def test_names_in_any_script_are_picked_in_sql_not_read_in_full(make, plan, evidence):
    """An Urdu- or Hindi-named organisation early in its rollout: everyone ties at zero,
    and only the learners the gate names come back from the database."""
    from portal.rollout.gates import wave_evidence

    sales = make.department("Sales")
    names = ["عائشہ خان", "बिलाल शर्मा", "Ärne Öz", "ayesha", "Zainab", "ذیشان", "चाँदनी"] * 5
    people = [
        make.user(roles=("learner",), department="Sales", name=f"{n} {i}")
        for i, n in enumerate(names)
    ]
    evidence.assign(department=sales, due_on=date.today() + timedelta(days=10))
    wave = make_wave(plan, [sales], criteria={"completion_rate": 90})
    now = datetime.now(UTC)
    found = wave_evidence(wave, list(wave.criteria), now.date(), now)
    assert found.holding == [len(people)]
    assert len(found.candidates[0]) == NAMED_LEARNERS
    named = evaluate_gate(wave, now.date(), now).criteria[0].learners
    by_name = sorted(people, key=lambda p: (p.name.lower(), p.id))[:NAMED_LEARNERS]
    assert [h.user_id for h in named] == [p.id for p in by_name]
