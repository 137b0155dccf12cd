"""The one rule for text written outside a data cell: CSV comment lines, About sheets, the terminal.

Text there comes partly from users (a file's name, a cell, a library's message quoting either) and is read by
programs that act on some characters: a line break ends a CSV comment line, so the next line of a file name
becomes a row a spreadsheet may run as a formula; an escape sequence recolours or rewrites the terminal; a
bidirectional override shows a name backwards. :func:`safe_line` replaces every such character by its escape
(``\\n``, ``\\x1b``, ``\\u202e``), so the text stays on its line, does nothing, and still shows what was there.

Data cells are a separate matter (:mod:`analyses.exports` removes control characters and defuses formulas).
"""

from __future__ import annotations

import re

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff\ufff9-\ufffb]")
"""C0 and C1 control characters (line breaks, tabs, escape), DEL, the line and paragraph separators, the
bidirectional marks, embeddings, overrides and isolates, a byte-order mark and the interlinear annotations."""
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe_line(text: object) -> str:
    """``text`` (``str()`` of any object) with every control character replaced by its escape, so it stays one
    line and does nothing.

    Examples
    --------
    >>> safe_line("clients\\n=cmd|' /C calc'!A0.csv")
    "clients\\\\n=cmd|' /C calc'!A0.csv"
    >>> safe_line("\\x1b[2Jgone")
    '\\\\x1b[2Jgone'
    """
    return _UNSAFE.sub(_escape, str(text))


def has_unsafe(text: object) -> bool:
    """True when :func:`safe_line` would change ``text``."""
    return _UNSAFE.search(str(text)) is not None
