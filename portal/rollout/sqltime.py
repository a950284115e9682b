"""Time differences in SQL, for the two databases the portal runs on.

Portable SQL has no way to subtract two timestamps; SQLite and PostgreSQL each spell
it their own way. These constructs compile to the right spelling, so medians and weekly
buckets are computed in the database instead of reading every timestamp into Python.
"""

from __future__ import annotations

from sqlalchemy import Date, Float, Integer, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class days_between(FunctionElement):
    """Fractional days from one timestamp column to another, in SQL.

    Each supported database spells it its own way, so the median below can be taken in
    the database instead of reading every learner's timestamps into Python.
    """

    type = Float()
    inherit_cache = True


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(julianday({end}) - julianday({start}))"


@compiles(days_between, "postgresql")
def _days_between_postgresql(element, compiler, **kw) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 86400.0)"


class whole_weeks_between(FunctionElement):
    """Whole weeks from `start` to a later timestamp `end`, in SQL (never negative here)."""

    type = Integer()
    inherit_cache = True


@compiles(whole_weeks_between, "sqlite")
def _whole_weeks_sqlite(element, compiler, **kw) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST((julianday({end}) - julianday({start})) / 7 AS INTEGER)"


@compiles(whole_weeks_between, "postgresql")
def _whole_weeks_postgresql(element, compiler, **kw) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM ({end} - {start})) / 604800) AS INTEGER)"


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


@compiles(days_after, "sqlite")
def _days_after_sqlite(element, compiler, **kw) -> str:
    stamp, days = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"date({stamp}, '+' || ({days}) || ' days')"


@compiles(days_after, "postgresql")
def _days_after_postgresql(element, compiler, **kw) -> str:
    stamp, days = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(CAST(({stamp} AT TIME ZONE 'UTC') AS DATE) + ({days}))"
