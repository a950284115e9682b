"""What each sandbox list may be filtered by, read from a query string and written back to
one. Unknown values are ignored, not errors: a link or a remembered filter that no longer
makes sense shows the list unfiltered rather than failing (sandbox.remembered keeps the
last filter of each list)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from portal.arguments import parse_id
from sandbox import profiles
from sandbox.models import LEAD_SOURCES, TIERS


class ListFilters:
    """What the lists' filters share: read from a query string (unknown values are
    ignored, not errors), and written back as one, leaving out what is at its default."""

    def to_args(self) -> dict[str, str]:
        """The filters that differ from their defaults, as query-string values."""
        args = {}
        for item in fields(self):  # type: ignore[arg-type]
            value = getattr(self, item.name)
            if value == item.default:
                continue
            args[item.name] = (
                "1" if value is True else value.isoformat() if isinstance(value, date) else value
            )
        return args

    @property
    def active(self) -> bool:
        """Whether anything narrows the list (what "Clear filters" would undo)."""
        return bool(self.to_args())


# A date range reads only years a person means; the day after the last one still exists.
FIRST_YEAR, LAST_YEAR = 1900, 2999


def _day(args, name: str) -> date | None:
    """A YYYY-MM-DD date from the query string, else None."""
    text = args.get(name, "")
    try:
        day = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None
    return day if day and FIRST_YEAR <= day.year <= LAST_YEAR else None


def _flag(args, name: str) -> bool:
    return args.get(name) in ("1", "y", "on")


def _owner(args, name: str, colleague_ids, *, unassigned: bool = True) -> str:
    """The owner named: "me", "none" (nobody) or one of the sandbox's colleagues' ids."""
    value = args.get(name, "")
    if value == "me" or (unassigned and value == "none"):
        return value
    number = parse_id(value)
    return str(number) if number in colleague_ids else ""


@dataclass
class CustomerFilters(ListFilters):
    """The customer list's search and filters."""

    q: str = ""
    kind: str = ""  # "" everyone, "people" (the contacts), "companies"
    tier: str = ""
    city: str = ""
    open_ticket: bool = False
    owner: str = ""  # whose open tickets or deals: "me" or a colleague's id
    since_from: date | None = None  # customer since, first and last day
    since_to: date | None = None

    KINDS = ("people", "companies")

    @classmethod
    def from_args(cls, args, colleague_ids=()) -> CustomerFilters:
        """Filters from a query string; unknown values are ignored, not errors."""
        tier, kind = args.get("tier", ""), args.get("kind", "")
        return cls(
            q=args.get("q", "").strip()[:100],
            kind=kind if kind in cls.KINDS else "",
            tier=tier if tier in TIERS else "",
            city=args.get("city", "").strip()[:80],
            open_ticket=_flag(args, "open_ticket"),
            owner=_owner(args, "owner", colleague_ids, unassigned=False),
            since_from=_day(args, "since_from"),
            since_to=_day(args, "since_to"),
        )


@dataclass
class LeadFilters(ListFilters):
    """The lead list's search and filters."""

    q: str = ""
    status: str = ""
    source: str = ""
    owner: str = ""  # whose leads: "me", "none" (nobody's) or a colleague's id
    open: bool = False  # still to work: neither converted nor dead
    created_from: date | None = None
    created_to: date | None = None

    @classmethod
    def from_args(cls, args, colleague_ids=()) -> LeadFilters:
        """Filters from a query string; unknown values are ignored."""
        status, source = args.get("status", ""), args.get("source", "")
        return cls(
            q=args.get("q", "").strip()[:100],
            status=status if status in profiles.active().codes("lead_status") else "",
            source=source if source in LEAD_SOURCES else "",
            owner=_owner(args, "owner", colleague_ids),
            open=_flag(args, "open"),
            created_from=_day(args, "created_from"),
            created_to=_day(args, "created_to"),
        )


@dataclass
class TicketFilters(ListFilters):
    """Which tickets the queue shows."""

    show: str = "open"  # open | all | mine (my open items); a chosen status wins over it
    status: str = ""
    assignee: str = ""  # "me", "none" (unassigned) or a colleague's id
    category: str = ""
    priority: str = ""
    opened_from: date | None = None
    opened_to: date | None = None

    @classmethod
    def from_args(cls, args, colleague_ids=()) -> TicketFilters:
        """Filters from a query string; unknown values are ignored."""
        show, category = args.get("show", "open"), args.get("category", "")
        status, priority = args.get("status", ""), args.get("priority", "")
        profile = profiles.active()
        return cls(
            show=show if show in ("open", "all", "mine") else "open",
            status=status if status in profile.codes("ticket_status") else "",
            assignee=_owner(args, "assignee", colleague_ids),
            category=category if category in profile.codes("category") else "",
            priority=priority if priority in profile.codes("priority") else "",
            opened_from=_day(args, "opened_from"),
            opened_to=_day(args, "opened_to"),
        )
