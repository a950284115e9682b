"""Ordering people by name in SQL exactly as Python orders `name.lower()`.

users.sort_name holds name.lower() (portal.accounts.models.sort_name). Python compares
strings code point by code point; so does SQL when the comparison is by bytes of UTF-8:
SQLite's BINARY collation, PostgreSQL's "C" collation.
"""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class by_code_point(FunctionElement):
    """A text column compared code point by code point, as Python compares strings."""

    type = String()
    inherit_cache = True


@compiles(by_code_point, "sqlite")
def _by_code_point_sqlite(element, compiler, **kw) -> str:
    (text,) = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"({text} COLLATE BINARY)"


@compiles(by_code_point, "postgresql")
def _by_code_point_postgresql(element, compiler, **kw) -> str:
    (text,) = (compiler.process(clause, **kw) for clause in element.clauses)
    return f'({text} COLLATE "C")'
