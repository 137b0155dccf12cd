"""What a care home provides, read from CQC's service types and specialisms or a list's yes/no columns: a care
home or not, nursing, older people, dementia (None where the file does not say)."""

from __future__ import annotations

import re
from dataclasses import dataclass

YES = {"y", "yes", "true", "1", "t"}
NO = {"n", "no", "false", "0", "f"}
_NOT_NURSING = re.compile(r"\b(?:without|non|no|not)\b[\s-]*(?:\w+\s+)?nursing")
_OLDER = re.compile(r"older|elderly|over[\s-]*65|65\s*(?:\+|and over|yrs? and over)|\bfrail")


def service_kinds(text: str) -> set[str]:
    """What a service-type or specialism text says a home provides: a subset of ``{"nursing", "residential",
    "care_home", "dementia", "older_people"}``.

    Items may be separated by ``|``, ``;``, ``,``, ``/`` or new lines (CQC's care directory uses ``|``). "Care
    home service without nursing", "non-nursing" and "no nursing" are residential, never nursing.

    Examples
    --------
    >>> sorted(service_kinds("Care home service without nursing|Dementia"))
    ['care_home', 'dementia', 'residential']
    >>> sorted(service_kinds("Nursing homes; Caring for adults over 65 yrs"))
    ['care_home', 'nursing', 'older_people']
    """
    kinds: set[str] = set()
    for item in re.split(r"[|;,/\n]+", text.lower()):
        if _NOT_NURSING.search(item):
            kinds |= {"residential", "care_home"}
        elif "nursing" in item:
            kinds |= {"nursing", "care_home"}
        elif "residential" in item or "care home" in item:
            kinds |= {"residential", "care_home"}
        if "dementia" in item:
            kinds.add("dementia")
        if _OLDER.search(item) and "under 65" not in item:
            kinds.add("older_people")
    return kinds


def yes_no(text: str) -> bool | None:
    """A yes/no cell as True/False; None when blank or not a yes/no word."""
    word = text.strip().lower()
    return True if word in YES else False if word in NO else None


def nursing_cell(text: str) -> bool:
    """A nursing cell: yes/no, or words ("with nursing", "residential", "without nursing")."""
    flag = yes_no(text)
    return flag if flag is not None else "nursing" in service_kinds(text)


def is_dementia_service_type(header: str) -> bool:
    """A service-type column about dementia (``Service type - … dementia``), whatever its exact wording."""
    return header.startswith("service_type") and "dementia" in header


@dataclass
class RowFlags:
    """What one row says about a home (None: the file does not say)."""

    care_home: bool
    nursing: bool | None
    older_people: bool | None
    dementia: bool | None


def row_flags(get, columns: dict[str, str]) -> RowFlags:
    """Care home or not, nursing, older people and dementia from a row's flag and service columns.

    Without a care-home flag, a file with both nursing and residential columns (CQC's "Service type - Care
    home service with/without nursing") lists a care home only where one of them says yes.
    """
    kinds = service_kinds(get("service_types")) | service_kinds(get("specialisms"))
    if {"nursing", "residential", "service_types"} & set(columns) or "nursing" in kinds:
        nursing = nursing_cell(get("nursing")) if get("nursing") else False
        nursing = nursing or "nursing" in service_kinds(get("service_types")) or "nursing" in kinds
    else:
        nursing = None  # the file does not say which homes have nursing: not known, never "none"
    residential = yes_no(get("residential")) is True
    if "care_home_flag" in columns:
        care_home = yes_no(get("care_home_flag")) is True
    elif "residential" in columns and "nursing" in columns:
        care_home = nursing or residential
    elif get("service_types"):
        care_home = bool(kinds & {"nursing", "residential", "care_home"})
    else:
        care_home = True
    if "older_people" in columns:
        older = yes_no(get("older_people")) is True or "older_people" in service_kinds(get("older_people"))
    elif "specialisms" in columns:
        older = "older_people" in kinds
    else:
        older = True if "older_people" in kinds else None
    dementia_cells = [get(name) for name in ("dementia", "dementia_service_type") if name in columns]
    if dementia_cells or "specialisms" in columns:
        dementia = any(yes_no(cell) is True or "dementia" in service_kinds(cell) for cell in dementia_cells) or \
            "dementia" in kinds
    else:
        dementia = True if "dementia" in kinds else None
    return RowFlags(care_home, nursing, older, dementia)
