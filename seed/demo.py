"""The demo organisation: departments, ~40 employees and the four demo accounts."""

from __future__ import annotations

from sqlalchemy import insert, select
from werkzeug.security import generate_password_hash

from portal.accounts.models import Department, User, UserRole
from portal.extensions import db
from seed.people import DEMO_ACCOUNTS, DEMO_PASSWORD, DEPARTMENTS, employees, make_faker


def demo_present() -> bool:
    return db.session.scalar(select(User.id).where(User.email == DEMO_ACCOUNTS[0][0])) is not None


def create_demo_organisation(
    seed: int = 2026, staff: int = 40, password_method: str = "scrypt"
) -> dict:
    """Insert the demo organisation in bulk; the caller commits. Returns counts."""
    faker = make_faker(seed)

    def department_ids() -> dict[str, int]:
        # Matched without regard to case, as the portal matches department names.
        return {d.name.lower(): d.id for d in db.session.scalars(select(Department))}

    existing = department_ids()
    missing = [name for name in DEPARTMENTS if name.lower() not in existing]
    if missing:
        db.session.execute(insert(Department), [{"name": name} for name in missing])
        existing = department_ids()

    taken = set(db.session.scalars(select(User.email)))
    people = [
        {"email": email, "name": name, "department": dept, "job_title": title, "roles": roles}
        for email, name, dept, title, roles in DEMO_ACCOUNTS
        if email not in taken
    ]
    taken.update(p["email"] for p in people)
    people += employees(faker, staff, taken=taken)

    # Everyone shares the demo password, so it is hashed once.
    password_hash = generate_password_hash(DEMO_PASSWORD, method=password_method)
    ids = db.session.scalars(
        insert(User).returning(User.id, sort_by_parameter_order=True),
        [
            {
                "email": p["email"],
                "name": p["name"],
                "department_id": existing[p["department"].lower()],
                "job_title": p["job_title"],
                "password_hash": password_hash,
                "password_change_required": False,
                "active": True,
                "session_version": 1,
            }
            for p in people
        ],
    ).all()
    db.session.execute(
        insert(UserRole),
        [
            {"user_id": user_id, "role": role}
            for user_id, person in zip(ids, people, strict=True)
            for role in person["roles"]
        ],
    )
    db.session.flush()
    return {"departments": len(missing), "users": len(people)}
