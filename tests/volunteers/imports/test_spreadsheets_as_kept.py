"""Spreadsheets as coordinators keep them: a full name put together by a formula, an empty
first sheet, rows formatted down to the sheet's end, Excel's "Unicode text", a CSV in which
Excel wrote long numbers in exponent form, the old .xls and LibreOffice's .ods."""

from __future__ import annotations

import codecs
import datetime
import io
import re
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from tests.conftest import client_for
from volunteers.imports import services
from volunteers.imports.models import ImportBatch, ImportRow
from volunteers.models import Volunteer

from .files import HEADER_RU, checked_batch, csv_bytes, person_row, upload, xlsx_bytes

pytestmark = pytest.mark.django_db


def _rows(batch: ImportBatch) -> list[ImportRow]:
    return list(ImportRow.objects.filter(batch=batch).order_by("number"))


def _with_saved_results(data: bytes, results: dict[str, str]) -> bytes:
    """The workbook as Excel saves it: each formula cell with the text it showed (openpyxl
    writes formulas without results)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            part = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                xml = part.decode()
                for ref, value in results.items():
                    xml, found = re.subn(
                        rf'<c r="{ref}"><f>(.*?)</f><v ?/>',
                        rf'<c r="{ref}" t="str"><f>\1</f><v>{value}</v>',
                        xml,
                    )
                    assert found == 1
                part = xml.encode()
            target.writestr(item, part)
    return out.getvalue()


def test_a_full_name_made_by_a_formula_is_read_as_the_name_it_shows(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    workbook = Workbook()
    ws = workbook.active
    ws.append(["Фамилия", "Имя", "ФИО", "Дата рождения", "Телефон"])
    ws.append(["Иванов", "Иван", '=A2&" "&B2', "01.02.1990", "87011234567"])
    ws.append(["Петров", "Пётр", '=A3&" "&B3', "02.02.1990", "87011234568"])
    out = io.BytesIO()
    workbook.save(out)
    data = _with_saved_results(out.getvalue(), {"C2": "Иванов Иван", "C3": "Петров Пётр"})
    batch = services.batch_upload(by=alice, region=almaty, upload=upload("Список.xlsx", data))
    services.batch_map(batch=batch, by=alice, mapping={"2": "full_name", "3": "birth_date", "4": "phone"})
    batch = services.batch_check(batch=batch, by=alice)
    rows = _rows(batch)
    # The formula's text was taken for the name: a person "=A2&\"" was created without an error.
    assert [row.cells["full_name"] for row in rows] == ["Иванов Иван", "Петров Пётр"]
    assert (rows[0].values["last_name"], rows[0].values["first_name"]) == ("Иванов", "Иван")
    assert batch.error_rows == 0


def test_a_text_cell_starting_with_equals_is_still_text(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    workbook = Workbook()
    ws = workbook.active
    for row in [HEADER_RU, person_row(1)]:
        ws.append(row)
    ws["A2"] = "=Ахметова Айгуль"
    ws["A2"].data_type = "s"  # typed as text, as Excel keeps a cell formatted as Text
    out = io.BytesIO()
    workbook.save(out)
    batch = checked_batch(by=alice, region=almaty, rows=out.getvalue(), name="a.xlsx")
    assert _rows(batch)[0].cells["full_name"] == "=Ахметова Айгуль"


def test_an_empty_first_sheet_is_passed_for_the_one_with_the_list(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    data = xlsx_bytes({"Лист1": [], "Волонтёры": [HEADER_RU, person_row(1)]})
    batch = services.batch_upload(by=alice, region=almaty, upload=upload("Список.xlsx", data))
    assert batch.sheet == "Волонтёры"
    assert batch.headers == HEADER_RU and batch.mapping["0"] == "full_name"
    assert batch.estimated_rows == 1


def test_rows_formatted_to_the_end_of_the_sheet_do_not_count_as_rows(alice, almaty, settings) -> None:  # type: ignore[no-untyped-def]
    workbook = Workbook()
    ws = workbook.active
    for row in [HEADER_RU, person_row(1), person_row(2)]:
        ws.append(row)
    # A border drawn down to the last row: the sheet's stated size becomes 1 048 576.
    ws.cell(row=1_048_576, column=1).number_format = "@"
    out = io.BytesIO()
    workbook.save(out)
    batch = services.batch_upload(by=alice, region=almaty, upload=upload("Список.xlsx", out.getvalue()))
    # It went to the background with a progress bar counting to a million.
    assert batch.estimated_rows == 2
    assert not services.runs_in_background(batch)
    services.batch_map(batch=batch, by=alice, mapping=batch.mapping)
    batch = services.batch_check(batch=batch, by=alice)
    assert batch.status == ImportBatch.Status.VALIDATED and batch.total_rows == 2


@pytest.mark.parametrize("bom", [codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE])
def test_excel_unicode_text_utf16_tab_separated(alice, almaty, bom: bytes) -> None:  # type: ignore[no-untyped-def]
    """Excel's "Save as → Unicode text (*.txt)": UTF-16 with a BOM, tabs, CRLF."""
    text = "\r\n".join("\t".join(str(c) for c in row) for row in [HEADER_RU, person_row(1), person_row(2)])
    data = bom + (text + "\r\n").encode("utf-16-le" if bom == codecs.BOM_UTF16_LE else "utf-16-be")
    batch = checked_batch(by=alice, region=almaty, rows=data, name="Список.txt")
    assert (batch.encoding, batch.delimiter) == ("utf-16", "\t")
    rows = _rows(batch)
    assert batch.total_rows == 2 and batch.error_rows == 0
    assert rows[0].values["last_name"] == "Ахметова1" and rows[0].values["phone"] == "+77010000001"


@pytest.mark.parametrize("name", ["Список.xls", "Список.ods", "список.XLS"])
def test_xls_and_ods_are_refused_with_what_to_do(alice, almaty, name: str) -> None:  # type: ignore[no-untyped-def]
    with translation.override("ru"), pytest.raises(ValidationError) as caught:
        services.batch_upload(by=alice, region=almaty, upload=upload(name, b"\xd0\xcf\x11\xe0" + bytes(600)))
    message = caught.value.message_dict["file"][0]
    assert "Сохранить как → Книга Excel (.xlsx)" in message


def test_a_macro_enabled_workbook_is_read(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    data = xlsx_bytes({"Лист1": [HEADER_RU, person_row(1)]})
    batch = checked_batch(by=alice, region=almaty, rows=data, name="Список.xlsm")
    assert batch.total_rows == 1 and batch.error_rows == 0


def test_a_school_merged_down_beside_its_people_is_every_ones(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    """A list by schools: the school (or district, or detachment) written once, in a cell merged
    down beside all its pupils. Read-only openpyxl gives its value to the first row only."""
    workbook = Workbook()
    ws = workbook.active
    ws.append(["Список волонтёров"])
    ws.merge_cells("A1:D1")  # a title merged across, not down: nothing to carry
    ws.append(["ФИО", "Дата рождения", "Населённый пункт", "Телефон"])
    ws.append(["Ахметов Арман", "01.01.1990", "Қаскелең", "87011234501"])
    ws.append(["Беков Бауыржан", "02.01.1990", None, "87011234502"])
    ws.append(["Жанова Дана", "03.01.1990", None, "87011234503"])
    ws.append(["Иванов Иван", "04.01.1990", "Талғар", "87011234504"])
    ws.merge_cells("C3:C5")
    out = io.BytesIO()
    workbook.save(out)
    batch = checked_batch(by=alice, region=almaty, rows=out.getvalue(), name="Список.xlsx")
    assert [row.values["locality"] for row in _rows(batch)] == ["Қаскелең", "Қаскелең", "Қаскелең", "Талғар"]
    assert batch.error_rows == 0


def test_a_workbook_that_states_no_size_is_counted(alice, almaty, settings) -> None:  # type: ignore[no-untyped-def]
    """Web exports and streaming writers leave out the sheet's <dimension>: openpyxl says None."""
    settings.IMPORT_ASYNC_ROWS = 10
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet("Тізім")
    ws.append(HEADER_RU)
    for n in range(25):
        ws.append(person_row(n))
    out = io.BytesIO()
    workbook.save(out)
    batch = services.batch_upload(by=alice, region=almaty, upload=upload("export.xlsx", out.getvalue()))
    # It was 0, and a list of any length was checked within the request.
    assert batch.estimated_rows == 25 and services.runs_in_background(batch)


def test_excel_csv_ms_dos_is_read_in_its_code_page(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    """Excel's "CSV (MS-DOS)" on a Russian-locale Windows writes code page 866."""
    data = csv_bytes([HEADER_RU, person_row(1), person_row(2)], encoding="cp866")
    batch = checked_batch(by=alice, region=almaty, rows=data, name="Список.csv")
    assert batch.encoding == "cp866" and batch.mapping["0"] == "full_name"
    first = _rows(batch)[0]
    # It was read as Windows-1251: "Ђе¬Ґв®ў 1 Ђ©Јг«м ‘ҐаЁЄ®ў­ ", and no header was recognised.
    assert (first.values["last_name"], first.values["locality"]) == ("Ахметова1", "Алматы")


def test_windows_1251_with_yo_and_numero_stays_windows_1251() -> None:
    from volunteers.imports.reading import detect_encoding

    text = "Фамилия;Имя;Отряд\r\nЁлкина;Алёна;№ 5 «Жұлдыз»\r\nЮдина;Мария;№ 7\r\n"
    assert detect_encoding(text.encode("cp1251", errors="replace")) == "cp1251"


def test_rows_hidden_or_filtered_out_in_the_sheet_are_left_out_and_said(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    """A coordinator hides (or filters out) the rows they do not want, and sees the list without
    them: imported all the same, those people were added too."""
    workbook = Workbook()
    ws = workbook.active
    ws.append(HEADER_RU)
    for n in range(1, 6):
        ws.append(person_row(n))
    ws.row_dimensions[3].hidden = True  # hidden by hand
    ws.auto_filter.ref = "A1:F6"
    ws.row_dimensions[5].hidden = True  # filtered out
    ws.append([])
    ws.row_dimensions[7].hidden = True  # hidden and empty: nothing to say
    out = io.BytesIO()
    workbook.save(out)
    batch = checked_batch(by=alice, region=almaty, rows=out.getvalue(), name="Список.xlsx")
    assert [row.number for row in _rows(batch)] == [2, 4, 6]
    assert batch.total_rows == 3 and batch.hidden_rows == [3, 5]
    client = client_for(alice)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("roster:import_preview", args=[batch.pk])).content.decode()
    assert (
        "2 rows are hidden in the spreadsheet (hidden or filtered out) and are not imported: rows 3, 5."
        in page
    )
    services.batch_start_import(
        batch=batch, by=alice, consent_confirmed=True, consent_date=datetime.date(2025, 9, 1)
    )
    assert not Volunteer.objects.filter(phone__in=["+77010000002", "+77010000004"]).exists()
    assert Volunteer.objects.filter(phone__in=["+77010000001", "+77010000003", "+77010000005"]).count() == 3
    page = client.get(reverse("roster:import_preview", args=[batch.pk])).content.decode()
    assert 'id="import-hidden"' in page


def test_a_column_hidden_in_the_sheet_is_not_mapped_by_itself_and_the_mapping_says_so(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    """A coordinator hides the columns they keep for themselves (here last year's phones beside
    the current ones) and sees the list without them: mapped by its header all the same, the old
    phone was imported and the current one left out."""
    workbook = Workbook()
    ws = workbook.active
    ws.append(["ФИО", "Дата рождения", "Телефон", "Телефон", "Email", "ИИН", "Населённый пункт"])
    for n in range(1, 3):
        row = person_row(n)
        ws.append([row[0], row[1], f"8 (777) 000-00-0{n}", row[2], row[3], row[4], row[5]])
    ws.column_dimensions["C"].hidden = True
    out = io.BytesIO()
    workbook.save(out)
    batch = checked_batch(by=alice, region=almaty, rows=out.getvalue(), name="Список.xlsx")
    assert batch.mapping == {
        "0": "full_name",
        "1": "birth_date",
        "3": "phone",
        "4": "email",
        "5": "iin",
        "6": "locality",
    }
    assert [row.values["phone"] for row in _rows(batch)] == ["+77010000001", "+77010000002"]
    client = client_for(alice)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("roster:import_mapping", args=[batch.pk])).content.decode()
    assert page.count("Hidden in the spreadsheet: not imported unless you choose a field.") == 1
    assert 'aria-describedby="id_col_2_helptext"' in page and 'id="id_col_2_helptext"' in page
    # Chosen there, it is imported as any other column.
    services.batch_map(batch=batch, by=alice, mapping={**batch.mapping, "2": "phone", "3": ""})
    batch = services.batch_check(batch=batch, by=alice)
    assert [row.values["phone"] for row in _rows(batch)] == ["+77770000001", "+77770000002"]
