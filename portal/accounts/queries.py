"""Read-side queries for account pages: each runs a fixed number of statements."""

from __future__ import annotations

from dataclasses import dataclass

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import MultiDict

from portal.accounts.models import Department, User, UserRole
from portal.accounts.roles import ROLE_CODES
from portal.arguments import parse_id
from portal.extensions import db

STATUSES = ("active", "disabled", "all")


@dataclass
class UserFilters:
    q: str = ""
    department_id: int | None = None
    role: str = ""
    status: str = "active"
    page: int = 1

    @classmethod
    def from_args(cls, args: MultiDict) -> UserFilters:
        """Read filters from the query string, ignoring values that make no sense."""
        department = parse_id(args.get("department"))
        role = args.get("role", "")
        status = args.get("status", "active")
        return cls(
            q=args.get("q", "").strip()[:100],
            department_id=department,
            role=role if role in ROLE_CODES else "",
            status=status if status in STATUSES else "active",
            page=parse_id(args.get("page")) or 1,
        )

    def as_args(self, **changes) -> dict:
        """Query-string arguments for these filters: empty ones and page 1 left out."""
        values = {
            "q": self.q,
            "department": self.department_id,
            "role": self.role,
            "status": self.status,
            "page": self.page,
        } | changes
        # Compare the page alone with 1: department 1 is a real filter, not a default.
        if values["page"] == 1:
            del values["page"]
        return {k: v for k, v in values.items() if v not in ("", None)}


def search_users(filters: UserFilters, per_page: int) -> Pagination:
    """One page of users matching the filters, with departments and roles loaded."""
    query = (
        select(User).options(joinedload(User.department)).order_by(func.lower(User.name), User.id)
    )
    if filters.q:
        # autoescape: "%" and "_" typed in the search box are characters, not wildcards.
        needle = filters.q.lower()
        query = query.where(
            or_(
                func.lower(User.name).contains(needle, autoescape=True),
                func.lower(User.email).contains(needle, autoescape=True),
            )
        )
    if filters.department_id:
        query = query.where(User.department_id == filters.department_id)
    if filters.role:
        query = query.where(
            User.id.in_(select(UserRole.user_id).where(UserRole.role == filters.role))
        )
    if filters.status != "all":
        query = query.where(User.active.is_(filters.status == "active"))
    return db.paginate(query, page=filters.page, per_page=per_page, error_out=False)


def departments() -> list[Department]:
    return list(db.session.scalars(select(Department).order_by(func.lower(Department.name))))


def departments_with_counts() -> list[tuple[Department, int]]:
    """Every department with its number of people, in one statement."""
    counts = (
        select(User.department_id, func.count(User.id).label("people"))
        .group_by(User.department_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Department, func.coalesce(counts.c.people, 0))
        .outerjoin(counts, counts.c.department_id == Department.id)
        .order_by(func.lower(Department.name))
    )
    return [(department, people) for department, people in rows]
