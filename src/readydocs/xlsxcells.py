"""Reading a few rows of an .xlsx workbook without reading the rest.

Longer than most modules because it is the one workbook reader: the intake's
named cells and an earlier action plan's table go through the same scanning,
cell decoding and shared-text lookup, which only make sense together.

A workbook can hold millions of cells readydocs never looks at. This reader
finds the rows it is asked for by scanning each sheet's XML for row tags (a
regular expression over the bytes, in chunks) and parses only those rows;
shared text is resolved the same way, only for the entries those rows use.
Time grows with the bytes before the last row asked for, memory with the rows
asked for. Values come back as openpyxl would give them (numbers, text,
booleans, dates by the cell's number format, error values), decoded by
xlsxvalues.py, which gives what openpyxl's helpers give without loading openpyxl.
The workbook and styles parts, which a cohort's workbooks mostly share byte
for byte, are parsed once for the last few seen (_kept).

Callers have already checked the container (zipguard.check_workbook): sizes
are bounded and no part declares a DTD. Parsing refuses a DTD all the same:
defusedxml reads every part's prologue, where alone XML allows a DOCTYPE
(_parse_part, _elements), and the rest is read by the standard C parser, which
is many times faster than defusedxml's pure-Python one. The rows asked for in
one part are parsed together, in one document that readydocs writes round them
(_parse_elements).
"""

from __future__ import annotations

import functools
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator
from xml.etree import ElementTree as ET

from defusedxml import ElementTree as DET

from .xlsxvalues import (
    MAC_EPOCH, WINDOWS_EPOCH, builtin_format_code, column_index, from_excel, from_iso8601, is_date_format, is_duration_format,
    range_boundaries, text_content,
)

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_CELL, _VALUE, _FORMULA, _INLINE = (f"{MAIN}{tag}" for tag in ("c", "v", "f", "is"))
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"

_CHUNK = 1 << 22
MAX_ROW = 1_048_576  # the last row and column of an Excel sheet
MAX_COLUMN = 16_384
_NAME = rb"(?:[A-Za-z_][\w.-]*:)?"
_XMLNS = re.compile(rb"""\sxmlns(?::[A-Za-z_][\w.-]*)?\s*=\s*(?:"[^"]*"|'[^']*')""")
_COLUMN = re.compile(r"^\$?([A-Za-z]{1,3})")
_MERGE = re.compile(rb"<" + _NAME + rb"mergeCell\b[^>]*?\sref\s*=\s*[\"']([^\"']+)[\"']")
_ROOT = re.compile(rb"<(" + _NAME + rb"(?:worksheet|sst))\b[^>]*>")
_ROW_NUMBER = re.compile(rb"""\sr\s*=\s*["']\s*(\d+)""")  # a row tag's r attribute
# The XML declaration and root tag of a part Excel writes take a few hundred bytes.
_PROLOGUE_LIMIT = 1 << 20
# Enough of the last chunk to hold an end tag cut in two (</prefix:row >).
_TAIL = 256
# Wanted elements are parsed together a batch of about this many bytes at a time, which bounds the text held at once.
_BATCH_BYTES = 1 << 20


class XlsxError(ValueError):
    """The workbook's parts are not what an .xlsx holds (a part missing, malformed or in an unexpected encoding)."""


@dataclass(frozen=True)
class RawCell:
    value: Any = None  # str, int, float, bool, datetime, date, time, timedelta or None
    error: bool = False  # the value is an Excel error such as "#N/A"
    formula_without_value: bool = False  # a formula whose result was never saved


EMPTY = RawCell()


@dataclass
class Rows:
    """What read_rows found: cells of each row asked for (column A onwards), and which of those rows are hidden."""

    cells: dict[tuple[str, int], tuple[RawCell, ...]] = field(default_factory=dict)
    hidden: set[tuple[str, int]] = field(default_factory=set)


class XlsxWorkbook:
    """The sheet list and workbook-level defined names of an .xlsx, and rows read on request."""

    def __init__(self, source: Path | bytes):
        """``source``: the file, or its bytes when the caller has read them already."""
        self._zip = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
        try:
            self._parts = set(self._zip.namelist())
            self._inflated: dict[str, bytes] = {}  # the sheet part last inflated (see _open_sheet)
            shape = _book_shape(self._read("xl/workbook.xml"), self._read("xl/_rels/workbook.xml.rels"))
            self._date1904 = shape.date1904
            self.sheetnames: list[str] = []
            self.grids: dict[str, bool] = {}  # sheet -> holds cells (False: a chart sheet or other kind)
            self._sheet_parts: dict[str, str] = {}
            for name, kind, part in shape.sheets:
                if part not in self._parts or name in self.grids:
                    continue  # openpyxl skips a sheet whose part is missing, too
                self.sheetnames.append(name)
                self.grids[name] = kind == "worksheet"
                self._sheet_parts[name] = part
            self.defined_names: dict[str, str] = dict(shape.defined_names)
            self._strings_part = shape.strings_part
            styles = shape.styles_part
            self._date_styles, self._timedelta_styles = (
                _date_styles(self._read(styles)) if styles is not None and styles in self._parts else (frozenset(), frozenset()))
        except Exception:
            self._zip.close()
            raise

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> "XlsxWorkbook":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _open_sheet(self, sheet: str) -> Any:
        """The sheet's part to scan; one small enough to be a single chunk is inflated once for both scans."""
        part = self._sheet_parts[sheet]
        if self._zip.getinfo(part).file_size > _CHUNK:
            return self._zip.open(part)
        if part not in self._inflated:
            self._inflated = {part: self._zip.read(part)}  # only the sheet being read is held
        return io.BytesIO(self._inflated[part])

    def _read(self, part: str) -> bytes:
        if part not in self._parts:
            raise XlsxError(f"the part {part} is missing")
        return self._zip.read(part)

    def read_rows(self, wanted: Iterable[tuple[str, int, int]]) -> Rows:
        """The rows holding each (sheet, row, column) asked for, each from column A to the widest column asked on its sheet.

        A row the sheet does not store comes back as empty cells, and so does a
        cell hidden under a merge (anything but a merged range's top-left cell),
        as Excel shows it: LibreOffice can keep text there that nobody sees.
        """

        by_sheet: dict[str, tuple[set[int], int]] = {}
        for sheet, row, column in wanted:
            rows, width = by_sheet.get(sheet, (set(), 0))
            rows.add(row)
            by_sheet[sheet] = (rows, max(width, column))
        found = Rows()
        pending: list[tuple[tuple[str, int], list]] = []  # rows whose shared text is still to be looked up
        needed_strings: set[int] = set()
        for sheet, (rows, width) in by_sheet.items():
            with self._open_sheet(sheet) as fh:
                merged = _merged_away(fh, rows, width)
            with self._open_sheet(sheet) as fh:
                for number, row in _elements(fh, b"row", rows, numbered_by_r=True):
                    if _flag(row.get("hidden")):
                        found.hidden.add((sheet, number))
                    cells = self._row_cells(row, width, needed_strings)
                    for column in range(1, width + 1):
                        if (number, column) in merged:
                            cells[column - 1] = EMPTY
                    pending.append(((sheet, number), cells))
            for number in rows:
                found.cells[(sheet, number)] = (EMPTY,) * width
        strings = self._shared_strings(needed_strings)
        for key, cells in pending:
            found.cells[key] = tuple(RawCell(strings[c[1]]) if isinstance(c, tuple) else c for c in cells)
        return found

    def read_table(self, sheet: str, first_row: int, width: int) -> dict[int, tuple[RawCell, ...]]:
        """Every row the sheet stores from ``first_row`` to its end, from column A to ``width``, by row number.

        For a table of unknown length (an action plan people add rows to);
        read_rows is for cells whose rows are known. Rows the sheet does not
        store are left out; cells hidden under a merge are empty, as there.
        """

        needed_strings: set[int] = set()
        with self._open_sheet(sheet) as fh:
            pending = [(number, self._row_cells(row, width, needed_strings))
                       for number, row in _elements(fh, b"row", range(first_row, MAX_ROW + 1), numbered_by_r=True)]
        with self._open_sheet(sheet) as fh:
            merged = _merged_away(fh, {number for number, _ in pending}, width)
        strings = self._shared_strings(needed_strings)
        return {number: tuple(EMPTY if (number, n) in merged else RawCell(strings[c[1]]) if isinstance(c, tuple) else c
                              for n, c in enumerate(cells, start=1))
                for number, cells in pending}

    def _row_cells(self, row: Any, width: int, needed_strings: set[int]) -> list[RawCell | tuple[str, int]]:
        """The row's cells as RawCell, or ("s", index) where the text is in the shared table."""

        out: list[RawCell | tuple[str, int]] = [EMPTY] * width
        column = 0
        for c in row.findall(_CELL):
            column = _column_of(c.get("r") or "") or column + 1
            if column > width:
                continue
            kind = c.get("t", "n")
            style = int(c.get("s") or 0)
            text = c.findtext(_VALUE) or None
            has_formula = c.find(_FORMULA) is not None
            cell: RawCell | tuple[str, int]
            if kind == "inlineStr":
                inline = c.find(_INLINE)
                cell = RawCell(text_content(inline, MAIN) if inline is not None else None)
            elif text is None:
                cell = RawCell(formula_without_value=has_formula)
            elif kind == "s":
                needed_strings.add(int(text))
                cell = ("s", int(text))
            elif kind == "b":
                cell = RawCell(bool(int(text)))
            elif kind == "e":
                cell = RawCell(text, error=True)
            elif kind == "str":
                cell = RawCell(text)
            elif kind == "d":
                cell = RawCell(from_iso8601(text))
            else:
                number = float(text) if any(ch in text for ch in ".eE") else int(text)
                cell = RawCell(number)
                if style in self._date_styles:
                    epoch = MAC_EPOCH if self._date1904 else WINDOWS_EPOCH
                    try:
                        cell = RawCell(from_excel(number, epoch, duration=style in self._timedelta_styles))
                    except (OverflowError, ValueError):
                        cell = RawCell("#VALUE!", error=True)  # a date serial past any calendar, as openpyxl reads it
            out[column - 1] = cell
        return out

    def _shared_strings(self, indices: set[int]) -> dict[int, str]:
        if not indices:
            return {}
        if self._strings_part not in self._parts:
            raise XlsxError("cells refer to shared text, but the workbook has none")
        with self._zip.open(self._strings_part) as fh:
            out = {index: text_content(si, MAIN).replace("x005F_", "")
                   for index, si in _elements(fh, b"si", indices, numbered_by_r=False)}
        missing = indices - out.keys()
        if missing:
            raise XlsxError(f"a cell refers to shared text number {min(missing)}, which the workbook does not hold")
        return out


def _elements(fh, tag: bytes, wanted: set[int] | range, numbered_by_r: bool) -> Iterator[tuple[int, Any]]:
    """(number, parsed element) for each wanted <tag> element, in order.

    Rows are numbered by their r attribute (else one after the last), shared
    text entries from 0. Only wanted elements are copied out, and parsed a
    batch at a time (_parse_elements); scanning stops after the last wanted
    number.
    """

    start = re.compile(b"<" + _NAME + tag + rb"(?=[\s/>])[^>]*>")
    end = re.compile(b"</" + _NAME + tag + rb"\s*>")
    last = wanted[-1] if isinstance(wanted, range) else max(wanted)
    number = 0 if numbered_by_r else -1
    data, root = b"", None
    while root is None:
        more = fh.read(_CHUNK)
        data += more
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise XlsxError("a part is UTF-16 text, which Excel never writes")
        root = _ROOT.search(data)
        if root is None and (not more or len(data) > _PROLOGUE_LIMIT):
            raise XlsxError("a sheet or text part has no root element where one belongs")
    # The prologue and root tag go through the parser too, so a DOCTYPE there is refused, never expanded.
    DET.fromstring(data[:root.end()] + (b"" if root.group().endswith(b"/>") else b"</" + root.group(1) + b">"), forbid_dtd=True)
    wrap_open = b"<wrap" + b"".join(_XMLNS.findall(root.group())) + b">"
    batch: list[tuple[int, bytes]] = []  # wanted elements cut out and not yet parsed
    batch_bytes = 0
    pos = 0
    while True:
        m = start.search(data, pos)
        if m is None:
            more = fh.read(_CHUNK)
            if not more:
                break
            data = data[max(pos, data.rfind(b"<", pos)):] + more  # keep a start tag cut in two
            pos = 0
            continue
        if numbered_by_r:
            r = _ROW_NUMBER.search(m.group())
            number = int(r.group(1)) if r else number + 1
        else:
            number += 1
        if m.group().endswith(b"/>"):
            begin, stop = m.start(), m.end()
        elif number in wanted:  # read on until the whole element is in hand
            data, begin = data[m.start():], 0
            after_tag = m.end() - m.start()
            while (e := end.search(data, after_tag)) is None:
                more = fh.read(_CHUNK)
                if not more:
                    break
                data += more
            if e is None:
                break  # the part ends inside the element
            stop = e.end()
        else:  # skip to its end, holding no more than a chunk at a time
            e, keep_from = end.search(data, m.end()), m.end()
            while e is None:
                more = fh.read(_CHUNK)
                if not more:
                    break
                data = data[max(keep_from, len(data) - _TAIL):] + more
                keep_from = 0
                e = end.search(data)
            if e is None:
                break
            begin, stop = None, e.end()
        if number in wanted:
            batch.append((number, data[begin:stop]))
            batch_bytes += len(batch[-1][1])
            if batch_bytes >= _BATCH_BYTES:
                yield from _parse_elements(wrap_open, batch)
                batch, batch_bytes = [], 0
        if number >= last:
            break
        pos = stop
    yield from _parse_elements(wrap_open, batch)


def _parse_elements(wrap_open: bytes, pieces: list[tuple[int, bytes]]) -> list[tuple[int, Any]]:
    """Elements cut out of one part, parsed together inside a <wrap> root carrying the part's namespaces.

    The document starts with readydocs' own root tag, so it has no prologue,
    the one place XML allows a DOCTYPE (anywhere else one is not well-formed):
    nothing in it can declare an entity, and a reference to an undeclared one
    is an error. defusedxml's refusals have nothing to act on here, so the C
    parser reads it; the part's own prologue went through defusedxml.

    Each piece must come back as one element of its own, as when each was
    parsed alone: a piece cut wrongly (say, at an end tag inside a comment)
    would otherwise run on into the next one and hide it.
    """

    if not pieces:
        return []
    root = ET.fromstring(wrap_open + b"".join(xml for _, xml in pieces) + b"</wrap>")
    if len(root) != len(pieces):
        raise ET.ParseError(f"{len(pieces)} elements cut from a part parse as {len(root)}")
    return [(number, element) for (number, _), element in zip(pieces, root)]


def _merged_away(fh, rows: set[int], width: int) -> set[tuple[int, int]]:
    """(row, column) of the cells in the given rows, up to ``width``, that a merged range hides (all but its top-left).

    <mergeCells> comes after the cells, so the whole part is scanned for it,
    as bytes, keeping only what falls in the rows and columns asked for.
    """

    hidden: set[tuple[int, int]] = set()
    carry = b""
    while chunk := fh.read(_CHUNK):
        data = carry + chunk
        done = 0
        for m in _MERGE.finditer(data):
            done = m.end()
            try:
                left, top, right, bottom = range_boundaries(m.group(1).decode("ascii", "replace"))
            except (TypeError, ValueError):
                continue
            if left is None or top is None or right is None or bottom is None:
                continue
            # Whichever is shorter, the rows asked for or the range's rows: a table can have many of both.
            for row in (rows if len(rows) <= bottom - top else range(top, bottom + 1)):
                if top <= row <= bottom and row in rows:
                    hidden.update((row, column) for column in range(max(left, 1), min(right, width) + 1)
                                  if (row, column) != (top, left))
        carry = data[max(done, data.rfind(b"<")):]  # a tag cut in two by the chunk
    return hidden


def _column_of(ref: str) -> int:
    """The column number of a cell reference (B4 -> 2), 0 when it names none.

    Kept for short references (every workbook of a form uses the same few
    hundred); an attribute longer than any reference is read each time.
    """
    return _short_column_of(ref) if len(ref) <= _SHORT else _reference_column(ref)


def _reference_column(ref: str) -> int:
    m = _COLUMN.match(ref)
    return column_index(m.group(1).upper()) if m else 0


_SHORT = 16  # XFD1048576 and a few spaces
_short_column_of = functools.lru_cache(maxsize=1 << 14)(_reference_column)


def _flag(value: str | None) -> bool:
    return value in ("1", "true")


def _relationships(rels: Any, base: str) -> dict[str, tuple[str, str]]:
    """Id -> (kind, part): kind is the last word of the relationship type ("worksheet", "sharedStrings", ...)."""
    out = {}
    for rel in rels.iterfind(f"{_PKG_REL}Relationship"):
        target = rel.get("Target") or ""
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
        out[rel.get("Id") or ""] = ((rel.get("Type") or "").rsplit("/", 1)[-1], part)
    return out


def _kept(parse):
    """``parse`` (a pure function of parts' bytes), its results kept for the last few small inputs.

    The workbooks of one cohort mostly share their workbook and styles parts
    byte for byte (the same form, filled by a program or a survey import).
    Parts over _KEPT_BYTES in all are parsed every time, so what is kept stays
    under _KEPT × _KEPT_BYTES whatever the workbooks hold.
    """
    cached = functools.lru_cache(maxsize=_KEPT)(parse)

    @functools.wraps(parse)
    def parse_or_recall(*parts: bytes):
        return cached(*parts) if sum(map(len, parts)) <= _KEPT_BYTES else parse(*parts)

    parse_or_recall.cache_info = cached.cache_info  # type: ignore[attr-defined]
    parse_or_recall.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
    return parse_or_recall


_KEPT = 8
_KEPT_BYTES = 1 << 18


@dataclass(frozen=True)
class _BookShape:
    """What xl/workbook.xml and its relationships say, whichever of the parts named the zip holds."""

    date1904: bool
    sheets: tuple[tuple[str, str, str], ...]  # (name, kind, part) in the workbook's order
    defined_names: tuple[tuple[str, str], ...]  # workbook-level (name, text)
    strings_part: str | None
    styles_part: str | None


@_kept
def _book_shape(workbook_xml: bytes, rels_xml: bytes) -> _BookShape:
    workbook = _parse_part(workbook_xml)
    rels = _relationships(_parse_part(rels_xml), "xl")
    pr = workbook.find(f"{MAIN}workbookPr")
    sheets = []
    for sheet in workbook.iterfind(f"{MAIN}sheets/{MAIN}sheet"):
        kind, part = rels.get(sheet.get(f"{_REL}id") or "", ("", ""))
        sheets.append((sheet.get("name") or "", kind, part))
    names: dict[str, str] = {}
    for dn in workbook.iterfind(f"{MAIN}definedNames/{MAIN}definedName"):
        if dn.get("localSheetId") is None and dn.get("name"):
            names[dn.get("name")] = dn.text or ""
    by_kind = {kind: part for kind, part in rels.values()}
    return _BookShape(pr is not None and pr.get("date1904") in ("1", "true"), tuple(sheets), tuple(names.items()),
                      by_kind.get("sharedStrings"), by_kind.get("styles"))


@_kept
def _date_styles(styles_xml: bytes) -> tuple[frozenset[int], frozenset[int]]:
    """Indexes of the cell styles whose number format shows a date, and of those showing a duration."""

    styles = _parse_part(styles_xml)
    custom = {int(f.get("numFmtId") or -1): f.get("formatCode") or "" for f in styles.iterfind(f"{MAIN}numFmts/{MAIN}numFmt")}
    dates, durations = set(), set()
    for index, xf in enumerate(styles.iterfind(f"{MAIN}cellXfs/{MAIN}xf")):
        fmt_id = int(xf.get("numFmtId") or 0)
        code = custom.get(fmt_id) or builtin_format_code(fmt_id) or ""
        if is_date_format(code):
            dates.add(index)
        if is_duration_format(code):
            durations.add(index)
    return frozenset(dates), frozenset(durations)


class _RootReached(Exception):
    """The parser has read a part's prologue and reached its root element."""


class _PrologueOnly:
    """A parser target that stops the parse at the root element's start tag."""

    def start(self, tag: str, attrib: dict) -> None:
        raise _RootReached

    def end(self, tag: str) -> None:
        pass

    def data(self, text: str) -> None:
        pass

    def close(self) -> None:
        return None


def _parse_part(xml: bytes) -> Any:
    """A whole XML part, refused or parsed exactly as ``defusedxml.fromstring(xml, forbid_dtd=True)`` would.

    defusedxml reads up to the root element's start tag: a DOCTYPE, and so any
    entity declaration, can only stand before it, and is refused there
    (DTDForbidden), as is a part with no root element (ParseError). The whole
    part is then read by the C parser, which no DTD can reach.
    """

    prologue = DET.XMLParser(target=_PrologueOnly(), forbid_dtd=True)
    try:
        prologue.feed(xml)
        prologue.close()
    except _RootReached:
        pass
    return ET.fromstring(xml)
