"""Find a publisher's columns by name, and check the rows make sense, before anything is converted.

Columns are matched by name, never by position: spacing, line breaks and case are forgiven (the ePCN workbook
writes "Partner\\nOrganisation\\nCode"), a column may have several accepted names (ONSPD's ``oslaua`` became
``lad25cd``) or a pattern for names that carry a year (``WD24CD``, ``WD25CD``). A missing column stops that source
with its name; extra columns are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from layers.refresh.errors import SourceCheckFailed


def normalise(name: object) -> str:
    """A column name compared without case, surrounding or repeated spaces, line breaks or a byte-order mark."""
    return " ".join(str(name).replace("\ufeff", "").split()).casefold()


@dataclass(frozen=True)
class Column:
    """A column the tool needs.

    Attributes
    ----------
    target : str
        The name it gets in the pack's table.
    names : tuple of str
        The publisher's names for it, current first.
    pattern : str
        A regular expression matched (whole) against normalised names, for names carrying a year.
    """

    target: str
    names: tuple[str, ...] = ()
    pattern: str = ""

    def matches(self, header_name: str) -> bool:
        key = normalise(header_name)
        if any(key == normalise(name) for name in self.names):
            return True
        return bool(self.pattern) and re.fullmatch(self.pattern, key) is not None

    def describe(self) -> str:
        shown = " or ".join(repr(name) for name in self.names)
        if self.pattern:
            like = f"a name like {self.pattern.replace(chr(92) + 'd', '#')} (# a digit)"
            shown = f"{shown} or {like}" if shown else like
        return shown


def col(target: str, *names: str, pattern: str = "") -> Column:
    """Shorthand: ``col("lsoa21_code", "LSOA21CD")``."""
    return Column(target, names or (target,), pattern)


def pick_columns(header: Sequence[str], wanted: Iterable[Column], *, where: str) -> dict[str, str]:
    """The header's name for each wanted column (target -> header name), the first match in header order.

    Raises
    ------
    SourceCheckFailed
        Naming every missing column, what was looked for, and the columns the file has.
    """
    found: dict[str, str] = {}
    missing: list[Column] = []
    for column in wanted:
        match = next((name for name in header if column.matches(name)), None)
        if match is None:
            missing.append(column)
        else:
            found[column.target] = match
    if missing:
        names = "; ".join(f"{column.target} ({column.describe()})" for column in missing)
        has = ", ".join(repr(" ".join(str(name).split())) for name in list(header)[:40])
        more = f" and {len(header) - 40} more" if len(header) > 40 else ""
        raise SourceCheckFailed(f"{where} lacks the column{'s' if len(missing) > 1 else ''} {names}. Its columns: "
                                f"{has}{more}. The publisher may have renamed it: check the file, or keep the shipped "
                                f"copy.")
    return found


def require_rows(count: int, minimum: int, *, where: str, what: str = "rows") -> None:
    """Refuse a file with fewer than ``minimum`` rows (a truncated or filtered answer)."""
    if count < minimum:
        raise SourceCheckFailed(f"{where} holds {count:,} {what}, fewer than the {minimum:,} expected: it looks "
                                f"truncated or filtered. Nothing was written for it.")


def require_equal(count: int, expected: int, *, where: str, what: str) -> None:
    """Refuse when two counts that must agree do not (the features fetched and the service's own count; the LSOAs of
    the boundaries and of the lookup)."""
    if count != expected:
        raise SourceCheckFailed(f"{where}: {count:,} {what}, but {expected:,} expected. Nothing was written for it.")
