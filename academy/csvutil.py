"""The one way CSV files are written: every cell quoted, and nothing a spreadsheet would run as a formula.

A cell whose text starts with = + - @ TAB or CR gets a leading apostrophe, and so does every part
after a ';' or ',' inside a cell, since a spreadsheet importing with those separators starts a new
cell there. Numbers we format ourselves (int, float, Decimal) are written as they are.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
# The start of the cell, or right after a separator another program may split on, then optional spaces.
_DANGER = re.compile(r"(^|[;,])([ \n]*)([=+\-@\t\r])")


def safe_cell(value: object) -> str:
    """A cell that a spreadsheet shows as text: formulas defused at the start and after every ';' or ','."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, float):
        return f"{value:.4f}"
    return _DANGER.sub(lambda m: f"{m.group(1)}{m.group(2)}'{m.group(3)}", str(value))


def rows_to_csv(header: Sequence[str], rows: Iterable[Sequence[object]], *, newline: str = "\r\n") -> str:
    """A whole CSV document: the header, then each row, every cell made safe and quoted."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator=newline)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()
