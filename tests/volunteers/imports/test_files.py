"""The files coordinators really have are read as they are: encodings, separators, title rows,
sheets, Excel's date serials, numbers typed into phone and IIN cells."""

from __future__ import annotations

import codecs
import datetime

import pytest

from volunteers.imports import services
from volunteers.imports.models import ImportBatch, ImportRow

from .files import HEADER_RU, csv_bytes, make_iin, person_row, upload, xlsx_bytes

pytestmark = pytest.mark.django_db


def _check(batch: ImportBatch, user, mapping=None) -> ImportBatch:  # type: ignore[no-untyped-def]
    services.batch_map(batch=batch, by=user, mapping=mapping or batch.mapping)
    return services.batch_check(batch=batch, by=user)


def _rows(batch: ImportBatch) -> list[ImportRow]:
    return list(ImportRow.objects.filter(batch=batch).order_by("number"))


def test_cp1251_semicolon_csv_from_russian_excel(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    data = csv_bytes([HEADER_RU, person_row(1), person_row(2)], delimiter=";", encoding="cp1251")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    batch = services.batch_upload(by=alice, region=almaty, upload=upload("список.csv", data))
    assert (batch.encoding, batch.delimiter, batch.header_row) == ("cp1251", ";", 1)
    assert batch.mapping == {
        "0": "full_name",
        "1": "birth_date",
        "2": "phone",
        "3": "email",
        "4": "iin",
        "5": "locality",
    }
    batch = _check(batch, alice)
    first = _rows(batch)[0]
    assert batch.total_rows == 2 and batch.error_rows == 0
    assert first.values["last_name"] == "Ахметова1"
    assert first.values["first_name"] == "Айгуль"
    assert first.values["middle_name"] == "Сериковна"
    assert first.values["phone"] == "+77010000001"
    assert first.values["locality"] == "Алматы"


@pytest.mark.parametrize("bom", [True, False])
def test_utf8_csv_with_or_without_bom_and_commas(alice, almaty, bom: bool) -> None:  # type: ignore[no-untyped-def]
    header = ["Аты-жөні", "Туған күні", "Телефон", "E-mail", "ЖСН", "Елді мекен"]
    data = csv_bytes([header, person_row(3)], delimiter=",", encoding="utf-8")
    if bom:
        data = codecs.BOM_UTF8 + data
    batch = services.batch_upload(by=alice, region=almaty, upload=upload("list.csv", data))
    assert batch.encoding == ("utf-8-sig" if bom else "utf-8") and batch.delimiter == ","
    # The BOM does not stick to the first header.
    assert batch.headers[0] == "Аты-жөні" and batch.mapping["0"] == "full_name"
    batch = _check(batch, alice)
    row = _rows(batch)[0]
    assert row.errors == {} and row.values["iin"] == person_row(3)[4]


def test_xlsx_with_title_row_and_two_sheets_choose_the_second(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    first_sheet = [["Full name", "Date of birth", "Phone"], ["Smith John", "01.01.1990", "87011112233"]]
    second_sheet = [
        ["Фамилия", "Имя", "Отчество", "Туған күні", "Телефон", "ЖСН/ИИН"],
        # Excel keeps dates as day numbers: 32874 is 01.01.1990; phone and IIN typed as numbers.
        ["Иванов", "Пётр", "", 32874, 87011234567, int(make_iin(datetime.date(1990, 1, 1), 7))],
        ["Сидорова", "Мария", "", datetime.datetime(2001, 5, 2), "+7 702 000 00 02", ""],
    ]
    data = xlsx_bytes(
        {"Архив": first_sheet, "Волонтёры 2025": second_sheet}, title="Список волонтёров региона"
    )
    batch = services.batch_upload(by=alice, region=almaty, upload=upload("Волонтёры.xlsx", data))
    assert batch.sheets == ["Архив", "Волонтёры 2025"]
    # The first sheet has the merged title and an empty row above its header.
    assert batch.header_row == 3 and batch.mapping == {"0": "full_name", "1": "birth_date", "2": "phone"}
    batch = services.batch_map(batch=batch, by=alice, mapping={}, sheet="Волонтёры 2025")
    assert batch.header_row == 1
    assert batch.mapping == {
        "0": "last_name",
        "1": "first_name",
        "2": "middle_name",
        "3": "birth_date",
        "4": "phone",
        "5": "iin",
    }
    batch = _check(batch, alice)
    ivanov, sidorova = _rows(batch)
    assert ivanov.errors == {}
    assert ivanov.values["birth_date"] == "1990-01-01"
    assert ivanov.values["phone"] == "+77011234567"
    assert sidorova.values["birth_date"] == "2001-05-02" and sidorova.errors == {}


def test_excel_serial_and_iso_dates_in_a_csv(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    rows = [
        ["ФИО", "Дата рождения"],
        ["Ким Анна", "36526"],
        ["Ли Олег", "1995-07-14"],
        ["Цой Ян", "14/07/1995"],
    ]
    batch = services.batch_upload(by=alice, region=almaty, upload=upload("d.csv", csv_bytes(rows)))
    batch = _check(batch, alice)
    assert [r.values["birth_date"] for r in _rows(batch)] == ["2000-01-01", "1995-07-14", "1995-07-14"]


def test_formula_like_cells_are_kept_as_text(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    rows = [
        ["Фамилия", "Имя", "Дата рождения", "Населённый пункт"],
        ['=HYPERLINK("http://x")', "@Иван", "01.01.1990", "+cmd|' /C calc'!A0"],
        ["-Петров", "Пётр", "01.01.1990", "-2+3"],
    ]
    batch = services.batch_upload(by=alice, region=almaty, upload=upload("f.csv", csv_bytes(rows)))
    batch = _check(batch, alice)
    first, second = _rows(batch)
    assert first.values["last_name"] == '=HYPERLINK("http://x")'
    assert first.values["first_name"] == "@Иван"
    assert first.values["locality"] == "+cmd|' /C calc'!A0"
    assert second.values["locality"] == "-2+3"


def test_a_file_that_is_not_a_spreadsheet_is_refused_with_a_message(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.batch_upload(by=alice, region=almaty, upload=upload("x.xlsx", b"PK\x03\x04 not a zip"))
    assert "file" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.batch_upload(by=alice, region=almaty, upload=upload("x.pdf", b"%PDF"))


def test_a_workbook_that_unpacks_into_too_much_is_refused_before_it_is_read(alice, almaty, settings) -> None:  # type: ignore[no-untyped-def]
    """A megabyte of deflated letters unpacked into gigabytes in the worker's memory; the zip's own
    sizes now stop it before any part is read. (Scaled down: a 2 MB cell against a 1 MB limit.)"""
    import io
    import zipfile

    from django.core.exceptions import ValidationError
    from django.utils import translation

    settings.IMPORT_MAX_UNPACKED_BYTES = 2**20
    sheet = xlsx_bytes({"Тізім": [HEADER_RU, person_row(1)]})
    # One inline cell of 2 million letters, as a hand-made file holds it (Excel, and openpyxl
    # writing, stop at 32 767).
    giant = '<row r="9"><c r="A9" t="inlineStr"><is><t>' + "A" * (2 * 2**20) + "</t></is></c></row>"
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(sheet)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", giant.encode() + b"</sheetData>")
            bomb.writestr(info.filename, data)
    assert len(out.getvalue()) < 100_000  # small as uploaded
    # In English whatever the site's default language (the message is translated).
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.batch_upload(by=alice, region=almaty, upload=upload("bomb.xlsx", out.getvalue()))
    assert "unpacked" in " ".join(refused.value.message_dict["file"])
    assert not ImportBatch.objects.exists()
    # The workbook it was made from is read as ever.
    batch = services.batch_upload(by=alice, region=almaty, upload=upload("list.xlsx", sheet))
    assert batch.file_format == "xlsx"
