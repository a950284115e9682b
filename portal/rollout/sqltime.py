"""Time differences in SQL, for the two databases the portal runs on.

Portable SQL has no way to subtract two timestamps; SQLite and PostgreSQL each spell
it their own way. These constructs compile to the right spelling, so medians and weekly
buckets are computed in the database instead of reading every timestamp into Python.
"""

from __future__ import annotations

from sqlalchemy import Date, Float, Integer, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


def spell(element: type[FunctionElement], **templates: str) -> None:
    """Compile `element` on each dialect named in `templates` by filling that dialect's
    template with the element's compiled arguments, {0} the first."""
    for dialect, template in templates.items():

        def spelled(element, compiler, template=template, **kw) -> str:
            return template.format(*(compiler.process(clause, **kw) for clause in element.clauses))

        compiles(element, dialect)(spelled)


class days_between(FunctionElement):
    """Fractional days from one timestamp column to another, in SQL.

    Each supported database spells it its own way, so the median below can be taken in
    the database instead of reading every learner's timestamps into Python.
    """

    type = Float()
    inherit_cache = True


spell(
    days_between,
    sqlite="(julianday({1}) - julianday({0}))",
    postgresql="(EXTRACT(EPOCH FROM ({1} - {0})) / 86400.0)",
)


class whole_weeks_between(FunctionElement):
    """Whole weeks from `start` to a later timestamp `end`, in SQL (never negative here)."""

    type = Integer()
    inherit_cache = True


spell(
    whole_weeks_between,
    sqlite="CAST((julianday({1}) - julianday({0})) / 7 AS INTEGER)",
    postgresql="CAST(FLOOR(EXTRACT(EPOCH FROM ({1} - {0})) / 604800) AS INTEGER)",
)


class days_after(FunctionElement):
    """The UTC date of a timestamp plus a number of days (a constant or an integer
    column), in SQL."""

    type = Date()
    inherit_cache = True

    def __init__(self, stamp, days) -> None:
        # A constant is written into the SQL text (so into the statement's cache key).
        if isinstance(days, int):
            days = literal_column(str(days))
        super().__init__(stamp, days)


spell(
    days_after,
    sqlite="date({0}, '+' || ({1}) || ' days')",
    postgresql="(CAST(({0} AT TIME ZONE 'UTC') AS DATE) + ({1}))",
)
