"""Files as LibreOffice Calc writes them (fixtures/, made once with `soffice --convert-to` from a
list kept the way regions keep them): an empty first sheet, a title merged above the header,
headers in Kazakh and Russian with spaces and a line break, a full name made by a formula, dates
as date cells, day numbers and text, phones and an IIN typed as numbers, a locality merged down,
a hidden column and row (left out: hidden, they are not wanted; the column can be chosen), a Latin I in a Cyrillic name. The same list saved as .xls and .ods is
refused with how to save it as .xlsx, whatever the file is named."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from volunteers.imports import services
from volunteers.imports.models import ImportBatch, ImportRow
from volunteers.models import Volunteer

from .files import upload

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"


def test_a_libreoffice_workbook_is_read_as_it_shows(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    data = (FIXTURES / "libreoffice-list.xlsx").read_bytes()
    batch = services.batch_upload(by=alice, region=almaty, upload=upload("Тізім.xlsx", data))
    assert (batch.sheet, batch.header_row) == ("Тізім", 2)
    assert batch.mapping == {
        "0": "last_name",
        "1": "first_name",
        "2": "middle_name",
        "3": "full_name",
        "4": "birth_date",
        "5": "phone",
        "6": "iin",
        "8": "locality",
    }
    # The e-mail column is hidden in the sheet (column H): not mapped by itself; chosen here.
    services.batch_map(batch=batch, by=alice, mapping={**batch.mapping, "7": "email"})
    batch = services.batch_check(batch=batch, by=alice)
    rows = list(ImportRow.objects.filter(batch=batch).order_by("number"))
    assert [r.errors for r in rows] == [{}, {}, {}]
    assert [r.number for r in rows] == [3, 5, 6] and batch.hidden_rows == [4]
    assert rows[0].cells["full_name"] == "Сәрсенбаев Ғалым Құдайбергенұлы"  # the formula's result
    assert [r.values["birth_date"] for r in rows] == ["1990-02-01", "1991-02-01", "2001-05-03"]
    assert [r.values["phone"] for r in rows] == ["+77011234567", "+77011234569", "+77011234570"]
    assert rows[0].values["email"] == "GALYM@Mail.KZ" and len(rows[0].values["iin"]) == 12
    assert rows[1].values["last_name"] == "Ілиясов"
    assert [r.values["locality"] for r in rows] == ["Қаскелең", "Қаскелең", "Талғар"]
    services.batch_start_import(
        batch=batch, by=alice, consent_confirmed=True, consent_date=timezone.localdate()
    )
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE
    assert Volunteer.objects.filter(region=almaty, last_name="Сәрсенбаев", locality="Қаскелең").exists()


@pytest.mark.parametrize(
    ("fixture", "name"),
    [
        ("libreoffice-list.xls", "Тізім.xls"),
        ("libreoffice-list.ods", "Тізім.ods"),
        # Renamed by hand, or saved as "xlsx" by a program that wrote the old format.
        ("libreoffice-list.xls", "Тізім.xlsx"),
        ("libreoffice-list.ods", "Тізім.xlsx"),
    ],
)
def test_xls_and_ods_are_refused_with_how_to_save_them_as_xlsx(
    alice, almaty, fixture: str, name: str
) -> None:  # type: ignore[no-untyped-def]
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.batch_upload(by=alice, region=almaty, upload=upload(name, (FIXTURES / fixture).read_bytes()))
    message = " ".join(refused.value.message_dict["file"])
    # A renamed one was told "save it as CSV or XLSX", which it says it is.
    assert "Excel Workbook (.xlsx)" in message
    assert not ImportBatch.objects.exists()


def test_a_password_protected_workbook_is_told_to_remove_the_password(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    """Excel saves an encrypted workbook as an OLE container with an EncryptionInfo stream (made
    here by its header and directory entry: no library in the requirements encrypts)."""
    entry = "EncryptionInfo".encode("utf-16-le")
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1016) + entry + bytes(2048)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.batch_upload(by=alice, region=almaty, upload=upload("Тізім.xlsx", data))
    assert "password" in " ".join(refused.value.message_dict["file"])
