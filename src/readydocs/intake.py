"""Reading a filled intake workbook. The only module that opens a workbook for reading.

Every value keeps the place it came from (sheet and cell), so validation can
say exactly where a problem is. Inputs are found through the workbook's
defined names (see form.py), not by position, so a re-styled or re-saved
workbook still reads.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import UnreadableFileError
from .form import (
    NAME_FORM_VERSION, NAME_FRAMEWORK_ID, NAME_FRAMEWORK_VERSION, PROFILE_FIELDS,
    RATING_INPUTS, SHEET_PROFILE, SHEET_RATINGS, indicator_name,
)
from .framework import Framework

# Refuse a workbook whose parts would expand past this: a real intake is
# well under 1 MB, so 100 MB leaves room for pasted text while stopping a
# zip bomb before openpyxl inflates it.
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
# A workbook made by 'readydocs init' has about a dozen parts.
MAX_PARTS = 1000
# Sizes come from the zip's central directory. Python's zipfile never inflates
# an entry past its declared size (a lying entry fails its CRC check), so
# checking the declared sizes bounds what openpyxl can be made to inflate.
# Excel never writes a DOCTYPE or an ENTITY declaration; every XML part is
# scanned for one (bounded by the size check above) and refused, so entity
# expansion and external entities never reach a parser.
_DTD_MARKERS = tuple(m.encode(enc) for m in ("<!DOCTYPE", "<!ENTITY") for enc in ("utf-8", "utf-16-le", "utf-16-be"))

_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MACRO_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


@dataclass(frozen=True)
class Cell:
    """One input value and where it came from."""

    sheet: str
    ref: str  # A1 reference, e.g. "D5"
    name: str  # the defined name that points here
    value: Any  # as stored: str, int, float, datetime, bool or None
    error: str | None = None  # an Excel error value such as "#N/A"
    formula_without_value: bool = False
    hidden: bool = False  # the row is hidden

    @property
    def where(self) -> str:
        return f"{self.sheet}!{self.ref}"


@dataclass
class Intake:
    """What one workbook holds, cell by cell."""

    path: Path
    sheets: list[str]
    meta: dict[str, Cell]
    profile: dict[str, Cell]
    # indicator id -> input column key (rating, evidence, ...) -> cell
    ratings: dict[str, dict[str, Cell]]
    # defined names the framework expects that the workbook lacks, with the sheet they belong on
    missing: list[tuple[str, str]] = field(default_factory=list)
    # required sheets that are missing
    missing_sheets: list[str] = field(default_factory=list)


def check_container(path: Path) -> None:
    """Refuse, with one line each, files that are not an .xlsx workbook we can open safely."""
    if not path.exists():
        raise UnreadableFileError(f"{path}: no such file.", "Check the path, or create a workbook with 'readydocs init'.")
    if path.is_dir():
        raise UnreadableFileError(f"{path}: is a folder, not a workbook.", "Give the path of the .xlsx file inside it.")
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise UnreadableFileError(f"{path}: cannot be read ({exc.strerror}).", "Check the file's permissions.")
    if not head:
        raise UnreadableFileError(f"{path}: the file is empty.", "Save the workbook again from Excel, or create one with 'readydocs init'.")
    if head == _OLE_SIGNATURE:
        _refuse_ole(path)
    if not head.startswith(b"PK"):
        raise UnreadableFileError(f"{path}: is not an Excel .xlsx workbook.", "Open it in Excel or LibreOffice and save it as .xlsx.")
    limit_mb = MAX_UNCOMPRESSED_BYTES // (1024 * 1024)
    if path.stat().st_size > MAX_UNCOMPRESSED_BYTES:
        raise UnreadableFileError(f"{path}: is larger than the {limit_mb} MB limit for an intake workbook.",
                                  "Use the workbook made by 'readydocs init'.")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_PARTS:
                raise UnreadableFileError(f"{path}: holds {len(infos)} parts, far more than an intake workbook (limit {MAX_PARTS}).",
                                          "Use the workbook made by 'readydocs init'.")
            names = {i.filename for i in infos}
            total = sum(i.file_size for i in infos)
            packed = sum(i.compress_size for i in infos) or 1
            if total > MAX_UNCOMPRESSED_BYTES:
                raise UnreadableFileError(
                    f"{path}: expands to {total // (1024 * 1024)} MB, past the {limit_mb} MB limit for an intake workbook.",
                    "Use the workbook made by 'readydocs init'.",
                )
            if total > 10 * 1024 * 1024 and total / packed > MAX_COMPRESSION_RATIO:
                raise UnreadableFileError(
                    f"{path}: expands {total // packed}-fold, to {total // (1024 * 1024)} MB, as a zip bomb does; it was not opened.",
                    "Use the workbook made by 'readydocs init'.",
                )
            if any(i.flag_bits & 0x1 for i in infos):
                raise UnreadableFileError(f"{path}: is an encrypted zip archive, not an Excel workbook.",
                                          "Open it in Excel or LibreOffice and save it as .xlsx without a password.")
            content_types = zf.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
            mimetype = zf.open("mimetype").read(100) if "mimetype" in names else b""
            for info in infos:
                if info.filename.endswith((".xml", ".rels", ".vml")) and _declares_dtd(zf, info):
                        raise UnreadableFileError(
                            f"{path}: part {info.filename} declares XML entities or a DOCTYPE, which Excel never writes; it was not opened.",
                            "Open it in Excel or LibreOffice and save it again as .xlsx, or use the workbook made by 'readydocs init'.")
    except UnreadableFileError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError, KeyError):
        raise UnreadableFileError(f"{path}: the file is damaged (not a complete .xlsx archive).", "Use an earlier copy, or save it again from Excel.")
    if "xl/workbook.xml" not in names:
        if "word/document.xml" in names:
            raise UnreadableFileError(f"{path}: is a Word document, not an Excel workbook.", "Give the intake .xlsx file.")
        if mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
            raise UnreadableFileError(f"{path}: is a LibreOffice spreadsheet (.ods), not an Excel workbook.",
                                      "In LibreOffice choose File > Save As, set the file type to Excel 2007-365 (.xlsx), "
                                      "keep the current format when asked, and give that file.")
        raise UnreadableFileError(f"{path}: is not an Excel .xlsx workbook.", "Open it in Excel or LibreOffice and save it as .xlsx.")
    if _MACRO_TYPE.encode() in content_types:
        raise UnreadableFileError(f"{path}: is a macro-enabled workbook (.xlsm).", "Save it as a plain .xlsx workbook (Excel: File > Save As > Excel Workbook).")


def _declares_dtd(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    overlap = max(len(m) for m in _DTD_MARKERS) - 1
    tail = b""
    with zf.open(info) as part:
        while chunk := part.read(1 << 16):
            window = tail + chunk
            if any(m in window for m in _DTD_MARKERS):
                return True
            tail = window[-overlap:]
    return False


def _chain(exc: BaseException):
    """An exception and the ones it was raised from (openpyxl wraps parser errors in ValueError)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _refuse_ole(path: Path) -> None:
    """An OLE compound file: an encrypted workbook (Office wraps those in OLE) or a legacy .xls."""
    import mmap

    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        encrypted = mm.find("EncryptedPackage".encode("utf-16-le")) != -1
    if encrypted:
        raise UnreadableFileError(f"{path}: is a password-protected workbook; readydocs cannot open encrypted files.",
                                  "Open it in Excel, remove the password (File > Info > Protect Workbook > Encrypt with Password), and save it.")
    raise UnreadableFileError(f"{path}: is a legacy Excel 97-2003 (.xls) or other old Office file, not an .xlsx workbook.",
                              "Open it in Excel or LibreOffice and save it as an Excel Workbook (.xlsx).")


# Excel stores characters XML cannot hold (a vertical tab for some line breaks,
# a carriage return) as _xHHHH_; openpyxl passes the escape through. Only
# control characters are decoded, so text that merely looks like an escape
# keeps its letters.
_OOXML_ESCAPE = re.compile(r"_x(00[01][0-9A-Fa-f])_")


def _unescape(text: str) -> str:
    return _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def read_intake(path: str | Path, framework: Framework) -> Intake:
    """Open a workbook and collect every input cell the framework expects."""
    path = Path(path)
    check_container(path)
    import warnings

    import openpyxl

    try:
        with warnings.catch_warnings():
            # openpyxl warns about data validation and other extensions it drops; we only read.
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(path, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        from defusedxml import DefusedXmlException

        if any(isinstance(e, DefusedXmlException) for e in _chain(exc)):
            raise UnreadableFileError(
                f"{path}: declares XML entities or a DOCTYPE, which Excel never writes; it was not opened.",
                "Open it in Excel or LibreOffice and save it again as .xlsx, or use the workbook made by 'readydocs init'.") from exc
        raise UnreadableFileError(
            f"{path}: cannot be opened as a workbook ({type(exc).__name__}).",
            "Open it in Excel or LibreOffice and save it again as .xlsx.",
        ) from exc
    try:
        formulas = _formula_cells(path)
        names = _defined_names(wb)
        intake = Intake(path=path, sheets=list(wb.sheetnames), meta={}, profile={}, ratings={})
        intake.missing_sheets = [s for s in (SHEET_PROFILE, SHEET_RATINGS) if s not in wb.sheetnames]

        def cell(name: str, home_sheet: str) -> Cell | None:
            target = names.get(name)
            if target is None or target[0] not in wb.sheetnames:
                intake.missing.append((name, home_sheet))
                return None
            sheet, ref = target
            ws = wb[sheet]
            c = ws[ref]
            value = c.value
            if isinstance(value, str):
                value = _unescape(value)
            error = None
            if c.data_type == "e" or (isinstance(value, str) and value in _ERROR_VALUES):
                error, value = str(value), None
            row_dim = ws.row_dimensions.get(c.row) if hasattr(ws.row_dimensions, "get") else None
            return Cell(
                sheet=sheet, ref=ref, name=name, value=value, error=error,
                formula_without_value=value is None and error is None and (sheet, ref) in formulas,
                hidden=bool(row_dim is not None and row_dim.hidden),
            )

        for meta_name in (NAME_FRAMEWORK_ID, NAME_FRAMEWORK_VERSION, NAME_FORM_VERSION):
            c = cell(meta_name, "Instructions")
            if c is not None:
                intake.meta[meta_name] = c
        for f in PROFILE_FIELDS:
            c = cell(f.name, SHEET_PROFILE)
            if c is not None:
                intake.profile[f.key] = c
        for ind in framework.indicators:
            row: dict[str, Cell] = {}
            for key in RATING_INPUTS:
                c = cell(indicator_name(key, ind.id), SHEET_RATINGS)
                if c is not None:
                    row[key] = c
            intake.ratings[ind.id] = row
        return intake
    finally:
        wb.close()


_ERROR_VALUES = frozenset({"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#GETTING_DATA", "#SPILL!", "#CALC!"})


def _defined_names(wb: Any) -> dict[str, tuple[str, str]]:
    """Workbook-level defined names that point at exactly one cell: name -> (sheet, A1)."""
    out: dict[str, tuple[str, str]] = {}
    for name, dn in wb.defined_names.items():
        try:
            dests = list(dn.destinations)
        except Exception:
            continue  # a name holding a constant or formula, not a range
        if len(dests) != 1:
            continue
        sheet, ref = dests[0]
        ref = ref.replace("$", "")
        if ":" in ref:
            first, last = ref.split(":", 1)
            if first != last:
                continue
            ref = first
        out[name] = (sheet, ref)
    return out


_FORMULA_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")


def _formula_cells(path: Path) -> set[tuple[str, str]]:
    """Cells holding a formula with no cached result are read as empty by data_only; find them.

    Only called on small files (check_container bounds the size), and parses
    sheet XML with defusedxml, so hostile XML (entities) cannot expand.
    """
    from defusedxml import ElementTree as DET

    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
    out: set[tuple[str, str]] = set()
    try:
        with zipfile.ZipFile(path) as zf:
            wb_xml = DET.fromstring(zf.read("xl/workbook.xml"))
            rels = DET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
            targets = {r.get("Id"): r.get("Target") for r in rels}
            for sh in wb_xml.iterfind("m:sheets/m:sheet", ns):
                rid = sh.get(f"{{{ns['r']}}}id")
                target = targets.get(rid, "")
                part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                if part not in zf.namelist():
                    continue
                data = zf.read(part)
                # Most workbooks hold no formula at all: skip the parse unless a
                # formula element (<f>, <f ...>, <x:f>) is there; "<formula1>" of a
                # dropdown does not count.
                if not _FORMULA_ELEMENT.search(data):
                    continue
                root = DET.fromstring(data)
                for c in root.iter(f"{{{ns['m']}}}c"):
                    f = c.find("m:f", ns)
                    v = c.find("m:v", ns)
                    if f is not None and (v is None or v.text in (None, "")):
                        out.add((sh.get("name"), c.get("r")))
    except Exception:
        # Anything odd here is reported by openpyxl's own load; this is only a refinement.
        return out
    return out
