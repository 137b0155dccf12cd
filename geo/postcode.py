"""UK postcode normalisation and validation."""

from __future__ import annotations

import re

import pandas as pd

# Outward code (area letters, district) and inward code (sector digit, unit letters); BFPO and
# overseas territories are not served by a council, so they count as malformed here.
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][ABD-HJLNP-UW-Z]{2}$")


def postcode_key(text: object) -> str:
    """Postcode reduced to upper-case letters and digits (``"hr1 2jb "`` -> ``"HR12JB"``)."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    return re.sub(r"[^A-Z0-9]", "", str(text).upper())


def is_valid_postcode(text: object) -> bool:
    """True when the text has the shape of a UK unit postcode (it may still not exist)."""
    return bool(_POSTCODE.match(postcode_key(text)))


def format_postcode(text: object) -> str:
    """Postcode in the standard form with one space before the inward code (``"HR1 2JB"``).

    Text that does not have the shape of a postcode is returned upper-cased and stripped.
    """
    key = postcode_key(text)
    if not _POSTCODE.match(key):
        return str(text if text is not None else "").strip().upper()
    return f"{key[:-3]} {key[-3:]}"


def postcode_keys(values: pd.Series) -> pd.Series:
    """Vectorised :func:`postcode_key` for a column of postcodes."""
    return values.astype("string").fillna("").str.upper().str.replace(r"[^A-Z0-9]", "", regex=True)
