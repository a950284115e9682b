"""Ordering people by name in SQL the way Python's `name.lower()` orders them.

Python compares lower-cased names code point by code point. SQL can do the same for
names written in ASCII only: lower-case the ASCII letters and compare bytes (SQLite's
lower() and BINARY collation; PostgreSQL's lower() and ordering under the "C" collation).
For other names the databases' lower() and collations differ from Python's, so a
statement that picks "the first N by name" in SQL keeps every name that is not plain
ASCII for Python to order (see summary.gate_summary).
"""

from __future__ import annotations

from sqlalchemy import Boolean, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class is_plain(FunctionElement):
    """True where a text column holds ASCII characters only."""

    type = Boolean()
    inherit_cache = True


@compiles(is_plain, "sqlite")
def _is_plain_sqlite(element, compiler, **kw) -> str:
    (text,) = (compiler.process(clause, **kw) for clause in element.clauses)
    # Bytes (of the UTF-8 text) against characters: equal only when every one is ASCII.
    return f"(length(CAST({text} AS BLOB)) = length({text}))"


@compiles(is_plain, "postgresql")
def _is_plain_postgresql(element, compiler, **kw) -> str:
    (text,) = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(octet_length({text}) = char_length({text}))"


class plain_lower(FunctionElement):
    """A sort key for plain-ASCII names that orders them as Python's `name.lower()` does:
    ASCII letters lower-cased, compared byte by byte."""

    type = String()
    inherit_cache = True


@compiles(plain_lower, "sqlite")
def _plain_lower_sqlite(element, compiler, **kw) -> str:
    (text,) = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"lower({text})"  # ASCII only; compared with the BINARY collation


@compiles(plain_lower, "postgresql")
def _plain_lower_postgresql(element, compiler, **kw) -> str:
    (text,) = (compiler.process(clause, **kw) for clause in element.clauses)
    # Under "C", lower() changes ASCII letters only, and comparison is byte by byte.
    return f'lower({text} COLLATE "C")'
