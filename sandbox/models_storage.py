"""Column types that keep a practice row small, read and written as the usual Python values.

A sandbox's rows are many (about 1,500 each, for every learner who practises), so the
few columns most of their bytes go to are stored compactly; queries stay as they were,
since the types convert every bound value and every result:

- `SandboxTime`: a timestamp. PostgreSQL keeps `timestamptz` (8 bytes, as an integer
  would take once aligned, and its own date arithmetic); SQLite, which would store 26
  characters of ISO text, an INTEGER of whole seconds since 1970 (4 bytes). Seconds are
  as fine as sandbox time is shown and compared.
- `SandboxDate`: a date. PostgreSQL `date`; SQLite an INTEGER of days since 1970 (2 bytes
  instead of 10 characters). `extract()` of either type compiles to match on SQLite.
- `SeededText`: free text a person writes, stored as given; the sample data a new
  sandbox is filled with stores its fixed sentences as a short code of the shared
  reference list (sandbox.fill.text.STORED), expanded when read. SQL itself sees the
  code, so no query should search seeded notes' text (none does).
- `ShortCode`: a column of a fixed code list (a tier, an activity's kind) stores each
  code as its first letter, which is unique in each list; comparisons and IN bind through
  the type, and sorting by the letters keeps the codes' alphabetical order. SQL that
  wraps the column (lower(), LIKE) sees the letter, so it is compared as it is.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Date, DateTime, Integer, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import Extract
from sqlalchemy.types import TypeDecorator

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_DAY = date(1970, 1, 1).toordinal()
SECOND = timedelta(seconds=1)


class SandboxTime(TypeDecorator):
    """A timezone-aware UTC timestamp: timestamptz on PostgreSQL, whole seconds since 1970
    (INTEGER) on SQLite. A naive datetime is refused, as by portal.database.UTCDateTime."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Integer())
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | int | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a SandboxTime column")
        if dialect.name == "sqlite":
            return (value - EPOCH) // SECOND
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, int):
            return EPOCH + timedelta(seconds=value)
        if isinstance(value, str):  # a row written before the column was compact
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class SandboxDate(TypeDecorator):
    """A date: `date` on PostgreSQL, days since 1970 (INTEGER) on SQLite."""

    impl = Date
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Integer())
        return dialect.type_descriptor(Date())

    def process_bind_param(self, value: date | None, dialect) -> date | int | None:
        if value is None or dialect.name != "sqlite":
            return value
        return value.toordinal() - EPOCH_DAY

    def process_result_value(self, value, dialect) -> date | None:
        if isinstance(value, int):
            return date.fromordinal(value + EPOCH_DAY)
        if isinstance(value, str):  # a row written before the column was compact
            return date.fromisoformat(value[:10])
        return value


@compiles(Extract, "sqlite")
def _extract_on_sqlite(element, compiler, **kw):
    """extract(month, ...) of a compact column: SQLite's strftime reads it as Unix time."""
    seconds = {SandboxTime: "{}", SandboxDate: "({}) * 86400"}.get(type(element.expr.type))
    if seconds is None:
        return compiler.visit_extract(element, **kw)
    field = compiler.extract_map[element.field]
    value = seconds.format(compiler.process(element.expr, **kw))
    return f"CAST(STRFTIME('{field}', {value}, 'unixepoch') AS INTEGER)"


class ShortCode(TypeDecorator):
    """A code of `codes` stored as its first letter; any other value is stored as given."""

    impl = String
    cache_ok = True

    def __init__(self, length: int, codes: tuple[str, ...]) -> None:
        super().__init__(length)
        self.codes = tuple(codes)
        self.letter_of = {code: code[0] for code in self.codes}
        self.code_of = {code[0]: code for code in self.codes}
        if len(self.code_of) != len(self.codes):
            raise ValueError(f"codes without a first letter of their own: {codes}")

    def process_bind_param(self, value: str | None, dialect) -> str | None:
        return self.letter_of.get(value, value)

    def process_result_value(self, value: str | None, dialect) -> str | None:
        return self.code_of.get(value, value)


# A seeded sentence: MARK and its place in STORED as one character (or MARK2 and two), then
# its fields' values, separated by SEP.
MARK, MARK2, SEP = "\x1e", "\x1d", "\x1f"
# The characters places are written in: printable ASCII.
DIGITS = "".join(chr(code) for code in range(0x21, 0x7F))


class SeededText(TypeDecorator):
    """Text stored as written; a seeded sentence's code (`seeded()`) reads back in full."""

    impl = String
    cache_ok = True

    def process_result_value(self, value: str | None, dialect) -> str | None:
        if value and value[0] in (MARK, MARK2):
            return expand(value)
        return value


def seeded(place: int, *fields: str) -> str:
    """The stored form of the sentence at `place` in STORED with its fields' values."""
    high, low = divmod(place, len(DIGITS))
    start = MARK2 + DIGITS[high] + DIGITS[low] if high else MARK + DIGITS[low]
    return start + SEP.join(fields)


def expand(code: str) -> str:
    """The sentence a `seeded()` code stands for."""
    from sandbox.fill.text import fill_stored

    if code[0] == MARK:
        place, fields = DIGITS.index(code[1]), code[2:]
    else:
        place = DIGITS.index(code[1]) * len(DIGITS) + DIGITS.index(code[2])
        fields = code[3:]
    return fill_stored(place, fields.split(SEP))
