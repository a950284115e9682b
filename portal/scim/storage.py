"""The SCIM storage over the portal's tables: Users are accounts, Groups departments.

scim2-server validates each request and applies PUT and PATCH to the stored resource;
this module turns that whole new state into column values, with the portal's rules:
a disabled account loses its sessions at once, the last active admin stays, a group's
members are the people in the department (adding someone moves them there).

Over 400 lines: one class implements scim2-server's storage interface (get, search,
create, update, delete) for both resource types, and each operation needs the others'
column mapping.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Union

from scim2_models import (
    InvalidValueException,
    Meta,
    NotFoundException,
    Resource,
    ResourceType,
    ResponseParameters,
    ScimFilter,
    SearchRequest,
    UniquenessException,
)
from scim2_models.path import CompareOperator, Comparison
from scim2_server.storage import ScimStorage, SearchPage
from scim2_server.utils import parametrize
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import Department, User, normalise_email
from portal.accounts.roles import Role
from portal.accounts.services import end_sessions, find_department
from portal.database import utcnow
from portal.extensions import db
from portal.scim.models import ScimRecord
from portal.scim.resources import LANGUAGES, EmailAddress, Group, GroupMember, Name
from portal.scim.resources import User as ScimUser

# Filters answered in SQL: `<attribute> eq "<value>"`; any other filter is matched
# against every resource of the type, in Python.
USER_COLUMNS: dict[str, Callable[[str], Any]] = {
    "username": lambda value: User.email == normalise_email(value),
    "id": lambda value: User.id == _int_or_none(value),
    "externalid": lambda value: User.id.in_(
        select(ScimRecord.user_id).where(ScimRecord.external_id == value)
    ),
}
GROUP_COLUMNS: dict[str, Callable[[str], Any]] = {
    "displayname": lambda value: func.lower(Department.name) == " ".join(value.split()).lower(),
    "id": lambda value: Department.id == _department_key(value),
    "externalid": lambda value: Department.id.in_(
        select(ScimRecord.department_id).where(ScimRecord.external_id == value)
    ),
}


def _int_or_none(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None


# An id names one resource of the whole service (RFC 7643 §3.1), so a department's is
# "department-<id>" and never equals a user's plain number.
DEPARTMENT_ID = "department-"


def _department_key(resource_id: str | None) -> int | None:
    resource_id = resource_id or ""
    if not resource_id.startswith(DEPARTMENT_ID):
        return None
    return _int_or_none(resource_id.removeprefix(DEPARTMENT_ID))


def _version(resource: Resource[Any]) -> str:
    """A weak ETag from the resource's content: it changes whenever the resource does."""
    content = resource.model_dump(mode="json", exclude={"meta"})
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
    return f'W/"{digest[:16]}"'


def _finish(resource: Resource[Any], name: str, created, record: ScimRecord | None):
    resource.meta = Meta(
        resource_type=name,
        created=created,
        last_modified=record.modified_at if record is not None else created,
    )
    resource.meta.version = _version(resource)
    return resource


def _record(**key: int) -> ScimRecord | None:
    return db.session.scalar(select(ScimRecord).filter_by(**key))


def _touch(record: ScimRecord | None, external_id: str | None, **key: int) -> None:
    """Keep the directory's externalId and note that SCIM changed the resource now."""
    if record is None:
        record = ScimRecord(**key)
        db.session.add(record)
    record.external_id = external_id
    record.modified_at = utcnow()


# Users


def user_resources(users: list[User]) -> list[ScimUser]:
    """The SCIM view of accounts, with their records in one query."""
    records = _records(ScimRecord.user_id, [user.id for user in users])
    return [_user_resource(user, records.get(user.id)) for user in users]


def user_resource(user: User) -> ScimUser:
    return user_resources([user])[0]


def _user_resource(user: User, record: ScimRecord | None) -> ScimUser:
    language = user.locale or None
    resource = ScimUser(
        id=str(user.id),
        external_id=record.external_id if record is not None else None,
        user_name=user.email,
        display_name=user.name or None,
        name=Name(formatted=user.name) if user.name else None,
        title=user.job_title or None,
        preferred_language=language,
        locale=language,
        active=user.active,
        emails=_emails(user.email),
    )
    return _finish(resource, "User", user.created_at, record)


def _records(column, ids: list[int]) -> dict[int, ScimRecord]:
    """The SCIM records of these users or departments, by their id."""
    found = db.session.scalars(select(ScimRecord).where(column.in_(ids)))
    return {getattr(record, column.key): record for record in found}


def _emails(address: str) -> list[EmailAddress] | None:
    if "@" not in address:
        return None
    return [EmailAddress(value=address, type="work", primary=True)]


def _apply_user(user: User, resource: ScimUser) -> None:
    email = normalise_email(resource.user_name or "")
    if not email or len(email) > 254 or any(ch.isspace() for ch in email):
        raise InvalidValueException(detail="userName must be the person's email address")
    if _email_taken(email, user.id):
        raise UniquenessException(detail=f"Another account already uses {email}")
    user.email = email
    user.name = (resource.display_name or "").strip()[:120]
    user.job_title = (resource.title or "").strip()[:120]
    user.locale = _language(resource.preferred_language)
    _set_active(user, resource.active is not False)


def _email_taken(email: str, user_id: int | None) -> bool:
    taken = select(User.id).where(User.email == email)
    if user_id is not None:
        taken = taken.where(User.id != user_id)
    return db.session.scalar(taken) is not None


def _language(tag: str | None) -> str | None:
    """en, ur or hi from a language tag such as "ur-PK"; other languages are refused."""
    if not tag:
        return None
    primary = tag.replace("_", "-").split("-")[0].lower()
    if primary not in LANGUAGES:
        raise InvalidValueException(
            detail=f"preferredLanguage must be one of {', '.join(LANGUAGES)}"
        )
    return primary


def _set_active(user: User, active: bool) -> None:
    if user.active and not active:
        _keep_an_admin(user)
        end_sessions(user)
    user.active = active


def _keep_an_admin(user: User) -> None:
    if user.active and Role.ADMIN in user.roles and User.count_active_admins() <= 1:
        raise InvalidValueException(
            detail="This is the portal's last active admin: it stays enabled"
        )


def _load_user(resource_id: str | None) -> User:
    user = db.session.get(User, _int_or_none(resource_id or "") or 0)
    if user is None:
        raise NotFoundException(detail=f"User {resource_id!r} not found")
    return user


# Groups


def group_resources(departments: list[Department]) -> list[Group]:
    """The SCIM view of departments and the people in them, in three queries."""
    ids = [department.id for department in departments]
    records = _records(ScimRecord.department_id, ids)
    people: dict[int, list[int]] = defaultdict(list)
    for user_id, department_id in db.session.execute(
        select(User.id, User.department_id).where(User.department_id.in_(ids)).order_by(User.id)
    ):
        people[department_id].append(user_id)
    return [
        _group_resource(department, records.get(department.id), people[department.id])
        for department in departments
    ]


def group_resource(department: Department) -> Group:
    return group_resources([department])[0]


def _group_resource(department: Department, record: ScimRecord | None, people: list[int]):
    resource = Group(
        id=f"{DEPARTMENT_ID}{department.id}",
        external_id=record.external_id if record is not None else None,
        display_name=department.name,
        members=[
            GroupMember(value=str(user_id), ref=f"Users/{user_id}", type="User")
            for user_id in people
        ]
        or None,
    )
    return _finish(resource, "Group", department.created_at, record)


def _apply_group(department: Department, resource: Group) -> None:
    name = " ".join((resource.display_name or "").split())
    if not name or len(name) > 80:
        raise InvalidValueException(detail="displayName must be 1 to 80 characters")
    existing = find_department(name)
    if existing is not None and existing.id != department.id:
        raise UniquenessException(detail=f"A department named {name!r} exists")
    department.name = name
    db.session.add(department)
    db.session.flush()
    wanted = {_member_id(member) for member in resource.members or []}
    current = set(db.session.scalars(select(User.id).where(User.department_id == department.id)))
    for user in db.session.scalars(select(User).where(User.id.in_(wanted | current))):
        user.department_id = department.id if user.id in wanted else None


def _member_id(member: GroupMember) -> int:
    user_id = _int_or_none(member.value or "")
    if member.type not in (None, "User") or user_id is None or not db.session.get(User, user_id):
        raise InvalidValueException(detail=f"No user with id {member.value!r}: members are users")
    return user_id


def _load_department(resource_id: str | None) -> Department:
    department = db.session.get(Department, _department_key(resource_id) or 0)
    if department is None:
        raise NotFoundException(detail=f"Group {resource_id!r} not found")
    return department


KINDS = {
    "User": (User, USER_COLUMNS, user_resources),
    "Group": (Department, GROUP_COLUMNS, group_resources),
}


class SqlStorage(ScimStorage):
    """Users and Groups read from and written to the portal's database session.

    Writes only flush: the view that serves the request commits it, or rolls it back
    when the answer is an error.
    """

    @contextmanager
    def operation(self) -> Iterator[None]:
        """A unique value taken by a request running at the same moment is a 409 too."""
        try:
            yield
        except IntegrityError as error:
            db.session.rollback()
            raise UniquenessException(detail="A value is already taken") from error

    def get(
        self,
        resource_type: ResourceType,
        resource_id: str,
        *,
        response_parameters: ResponseParameters[Any] | None = None,
    ) -> Resource[Any]:
        if resource_type.name == "User":
            return user_resource(_load_user(resource_id))
        return group_resource(_load_department(resource_id))

    def search(
        self,
        resource_types: list[ResourceType],
        search_request: SearchRequest[Any],
        *,
        position: Any = None,
    ) -> SearchPage:
        scim_filter = search_request.filter
        start = search_request.start_index_0 or 0
        count = search_request.count
        if len(resource_types) > 1:  # a search at the root: every type, matched in Python
            names = dict.fromkeys(resource_type.name for resource_type in resource_types)
            resources = [resource for name in names for resource in _everything(name)]
            return _page_in_python(resources, scim_filter, start, count)
        model, columns, to_resources = KINDS[resource_types[0].name]
        query = select(model).order_by(model.id)
        if scim_filter is not None:
            condition = _sql_condition(scim_filter, columns)
            if condition is None:
                resources = _everything(resource_types[0].name)
                return _page_in_python(resources, scim_filter, start, count)
            query = query.where(condition)
        total = db.session.scalar(select(func.count()).select_from(query.subquery()))
        page = query.offset(start)
        if count is not None:
            page = page.limit(count)
        return SearchPage(total, to_resources(list(db.session.scalars(page))))

    def create(self, resource_type: ResourceType, resource: Resource[Any]) -> Resource[Any]:
        if resource_type.name == "User":
            user = User(session_version=1, active=True)
            user.set_roles([Role.LEARNER.value])
            _apply_user(user, resource)
            db.session.add(user)
            db.session.flush()
            _touch(None, resource.external_id, user_id=user.id)
            db.session.flush()
            return user_resource(user)
        department = Department()
        _apply_group(department, resource)
        db.session.flush()
        _touch(None, resource.external_id, department_id=department.id)
        db.session.flush()
        return group_resource(department)

    def update(
        self,
        resource_type: ResourceType,
        resource: Resource[Any],
        *,
        expected_version: str | None = None,
    ) -> Resource[Any]:
        if resource_type.name == "User":
            user = _load_user(resource.id)
            _apply_user(user, resource)
            _touch(_record(user_id=user.id), resource.external_id, user_id=user.id)
            db.session.flush()
            return user_resource(user)
        department = _load_department(resource.id)
        _apply_group(department, resource)
        _touch(
            _record(department_id=department.id),
            resource.external_id,
            department_id=department.id,
        )
        db.session.flush()
        return group_resource(department)

    def delete(
        self,
        resource_type: ResourceType,
        resource_id: str,
        *,
        expected_version: str | None = None,
    ) -> None:
        """Deleting a user deletes the account and all it did; a department's people
        stay, in no department."""
        if resource_type.name == "User":
            user = _load_user(resource_id)
            _keep_an_admin(user)
            db.session.delete(user)
        else:
            department = _load_department(resource_id)
            for user in department.users:
                user.department_id = None
            db.session.flush()
            db.session.delete(department)
        db.session.flush()


def _sql_condition(scim_filter: ScimFilter[Any], columns: dict[str, Callable[[str], Any]]):
    """The SQL condition of `<attribute> eq "<string>"` on a column we index, or None."""
    node = scim_filter.ast
    if not isinstance(node, Comparison) or node.op != CompareOperator.eq:
        return None
    if not isinstance(node.value, str):
        return None
    attribute = str(node.attr_path).rsplit(":", 1)[-1].lower()
    make = columns.get(attribute)
    return make(node.value) if make is not None else None


def _everything(name: str) -> list[Resource[Any]]:
    model, _columns, to_resources = KINDS[name]
    return to_resources(list(db.session.scalars(select(model).order_by(model.id))))


def _page_in_python(
    resources: list[Resource[Any]],
    scim_filter: ScimFilter[Any] | None,
    start: int,
    count: int | None,
) -> SearchPage:
    """The page of a search SQL cannot answer: each resource is matched against the filter."""
    if scim_filter is not None and resources and not scim_filter.models:
        models = tuple(dict.fromkeys(type(resource) for resource in resources))
        scim_filter = parametrize(ScimFilter, Union[models])(str(scim_filter))  # noqa: UP007
    found = [r for r in resources if scim_filter is None or scim_filter.match(r)]
    stop = None if count is None else start + count
    return SearchPage(len(found), found[start:stop])
