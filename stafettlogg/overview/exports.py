"""CSV and XLSX exports of the unit overview with the columns of seed 000's form.

CSV: UTF-8 with BOM and semicolons, as Norwegian Excel expects. Both carry a title row
with unit and school year and the marking "Unntatt offentlighet, offentleglova § 13".
"""

import csv
import io
import re
import unicodedata

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from stafettlogg.i18n import gettext as _
from stafettlogg.overview.domain import OverviewRow, year_label


def classification() -> str:
    """The marking every export carries, in the reader's language form."""
    return _("Unntatt offentlighet, offentleglova § 13")


def columns() -> list[str]:
    return [
        _("Barn / elev"),
        _("Klasse / barnehagegruppe"),
        _("Stafettholder (navn og tilhørighet)"),
        _("Koordinator (navn og tilhørighet)"),
        _("Barnekoordinator (navn og tilhørighet)"),
        _("Innkalling / referat (hvor det befinner seg)"),
        _("Foresatte er informert (dato)"),
    ]


def _date(value) -> str:
    return f"{value.day:02d}.{value.month:02d}.{value.year}" if value else ""


def _note(row: OverviewRow) -> str:
    if row.moved_in_on and row.moved_out_on:
        return _("flyttet inn %(a)s, ut %(b)s", a=_date(row.moved_in_on), b=_date(row.moved_out_on))
    if row.moved_in_on:
        return _("flyttet inn %(d)s", d=_date(row.moved_in_on))
    if row.moved_out_on:
        return _("flyttet ut %(d)s", d=_date(row.moved_out_on))
    return ""


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """Text that starts like a formula is prefixed with an apostrophe, so that a name
    typed as "=HYPERLINK(...)" is shown, never run, by Excel (OWASP: CSV injection); the
    full-width signs (＝ ＋ － ＠), which some spreadsheets read as the ASCII ones, too."""
    first = unicodedata.normalize("NFKC", value[:1])
    return "'" + value if first[:1] in FORMULA_STARTS else value


def row_values(row: OverviewRow) -> list[str]:
    return [spreadsheet_safe(value) for value in _row_values(row)]


def _row_values(row: OverviewRow) -> list[str]:
    note = _note(row)
    return [
        f"{row.child_name} ({note})" if note else row.child_name,
        row.class_group,
        row.holder,
        row.koordinator_shown,
        row.barnekoordinator_shown,
        row.records_kept_in,
        _date(row.guardians_informed_on),
    ]


def title(unit_name: str, year: int) -> str:
    return _(
        "Oversikt over stafettholder og (barne-) koordinator – %(unit)s – skole-/barnehageår %(year)s",
        unit=unit_name,
        year=year_label(year),
    )


def filename(unit_name: str, year: int, fmt: str) -> str:
    """An ASCII file name (safe in Content-Disposition): "oversikt-sorbyen-skole-2025-2026.xlsx"."""
    name = unit_name.lower().translate(str.maketrans({"æ": "ae", "ø": "o", "å": "a"}))
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", name).strip("-")[:60] or "enhet"
    return f"oversikt-{slug}-{year}-{year + 1}.{fmt}"


def overview_csv(unit_name: str, year: int, rows: list[OverviewRow]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([title(unit_name, year)])
    writer.writerow([classification()])
    writer.writerow(columns())
    for row in rows:
        writer.writerow(row_values(row))
    return out.getvalue().encode("utf-8-sig")


def overview_xlsx(unit_name: str, year: int, rows: list[OverviewRow]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Oversikt %(year)s", year=f"{year}-{year + 1}")  # a sheet's name has no "/"
    sheet.append([title(unit_name, year)])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([classification()])
    sheet["A2"].font = Font(italic=True, color="9C0006")
    sheet.append(columns())
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append(row_values(row))
    for letter, width in zip("ABCDEFG", (28, 14, 32, 32, 32, 30, 14), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A4"
    sheet.oddHeader.center.text = classification()
    book.properties.title = title(unit_name, year)
    book.properties.keywords = classification()
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
