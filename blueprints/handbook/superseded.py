"""The registry of superseded Party texts (content/superseded.md) and a finder for citations
of them outside history notes.

The registry is a Markdown table kept by the editorial board; each row names a text by its
number and symbol (e.g. ``342-QĐ/TW``) and what replaced it. ``find_superseded(text)`` returns
every citation of such a text in a chapter, document or Q&A, except inside a history note: a
blockquote opening with ``**Ghi chú lịch sử:**`` (or, outside Markdown, a paragraph opening
with ``Ghi chú lịch sử:``), where naming an old text is the point.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REGISTRY = Path(__file__).resolve().parents[2] / "content" / "superseded.md"

HISTORY_MARKER = "Ghi chú lịch sử:"

# How far after a number the year must appear when a row says "only with the year": the
# rest of the sentence, in practice ("… 12-HD/BTCTW ngày 06/7/2018 của …").
_YEAR_REACH = 60


@dataclass(frozen=True)
class Superseded:
    """One row of the registry."""

    code: str
    year: int
    year_required: bool
    title: str
    replacement: str

    @property
    def pattern(self) -> re.Pattern[str]:
        """The number and symbol, tolerant of spaces around '-' and '/', not preceded by a
        digit (so 124-QĐ/TW is not read as 24-QĐ/TW)."""
        number, _, symbol = self.code.partition("-")
        parts = [re.escape(p) for p in symbol.split("/")]
        body = r"\s*/\s*".join(parts)
        return re.compile(rf"(?<![\d.]){re.escape(number)}\s*-\s*{body}(?![\w])", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    """A citation of a superseded text: which, where, and the line it sits on."""

    code: str
    year: int
    replacement: str
    line: int
    excerpt: str


def _cells(line: str) -> list[str]:
    return [cell.strip().strip("`").strip() for cell in line.strip().strip("|").split("|")]


def parse_registry(text: str) -> list[Superseded]:
    """Rows of the registry table (the one whose header starts with "Số hiệu")."""
    rows: list[Superseded] = []
    in_table = False
    for line in unicodedata.normalize("NFC", text).splitlines():
        if not line.lstrip().startswith("|"):
            in_table = False
            continue
        cells = _cells(line)
        if cells and cells[0] == "Số hiệu":
            in_table = True
            continue
        if not in_table or set("".join(cells)) <= set("-: "):
            continue
        if len(cells) < 5:
            raise ValueError(f"registry row has {len(cells)} cells, needs 5: {line!r}")
        code, year, only_with_year, title, replacement = cells[:5]
        if not re.fullmatch(r"\d+-[^\s]+/[^\s]+", code) or not year.isdigit():
            raise ValueError(f"bad registry row: {line!r}")
        rows.append(Superseded(code, int(year), only_with_year.lower() == "có", title, replacement))
    return rows


@lru_cache(maxsize=4)
def _registry_at(path: str, mtime: float) -> tuple[Superseded, ...]:
    return tuple(parse_registry(Path(path).read_text(encoding="utf-8")))


def load_registry(path: Path = REGISTRY) -> list[Superseded]:
    """The registry file, parsed (re-read when it changes)."""
    return list(_registry_at(str(path), path.stat().st_mtime))


def _marker_line(line: str) -> bool:
    bare = line.lstrip().lstrip(">").strip().lstrip("*").lstrip("_").strip()
    # Python sources: the marker may open a string literal.
    bare = bare.lstrip("\"'(").lstrip("*").strip()
    return bare.startswith(HISTORY_MARKER)


def history_mask(lines: list[str]) -> list[bool]:
    """For each line, True when it belongs to a history note.

    A note opens on a line whose text starts with the marker. Opened inside a blockquote it
    runs to the first line that is blank or not quoted; otherwise to the next blank line.
    """
    mask = [False] * len(lines)
    quoted = None  # None: not in a note; True/False: in a note opened in/outside a quote
    for i, line in enumerate(lines):
        if quoted is not None:
            ends = not line.strip() or (quoted and not line.lstrip().startswith(">"))
            if ends:
                quoted = None
        if quoted is None and _marker_line(line):
            quoted = line.lstrip().startswith(">")
        mask[i] = quoted is not None
    return mask


def _cites(entry: Superseded, line: str) -> bool:
    for match in entry.pattern.finditer(line):
        if not entry.year_required:
            return True
        after = line[match.end() : match.end() + _YEAR_REACH]
        # The year must belong to this citation, not to the next text named in the sentence.
        nxt = re.search(r"\d+\s*-\s*[A-ZĐ]+\w*\s*/", after)
        if nxt:
            after = after[: nxt.start()]
        if re.search(rf"(?<!\d){entry.year}(?!\d)", after):
            return True
    return False


def find_superseded(text: str, registry: list[Superseded] | None = None) -> list[Finding]:
    """Citations of superseded texts in `text`, history notes excepted, in reading order."""
    entries = load_registry() if registry is None else registry
    lines = unicodedata.normalize("NFC", text).splitlines()
    mask = history_mask(lines)
    found: list[Finding] = []
    for number, (line, in_note) in enumerate(zip(lines, mask, strict=True), start=1):
        if in_note:
            continue
        for entry in entries:
            if _cites(entry, line):
                excerpt = line.strip()
                found.append(
                    Finding(entry.code, entry.year, entry.replacement, number, excerpt[:200])
                )
    return found
