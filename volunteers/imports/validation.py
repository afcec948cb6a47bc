"""One row of a file → the values of a profile and the errors per field, by the rules the
forms apply (volunteers/validators.py and Volunteer.clean), so that an imported person is held to
what a person typed in by hand is.

Errors are kept as message ids with their parameters and translated when shown: the preview is
read in the reader's language, whoever checked the file."""

from __future__ import annotations

import copy
import datetime
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import validate_email
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from regions.models import Region
from regions.scoping import scoped_region_ids

from .. import crypto
from ..models import Skill, Volunteer
from ..search import fold
from ..validators import normalize_phone, validate_iin
from .mapping import split_full_name

# Excel counts days from 30.12.1899 (its 1900 leap-year bug included), or, in a workbook saved
# in the 1904 date system, from 01.01.1904 (reading.date_epoch).
EXCEL_EPOCH = datetime.date(1899, 12, 30)
_DATE_FORMATS = (
    "%d.%m.%Y",
    "%d.%m.%y",
    "%d/%m/%Y",
    "%d/%m/%y",
    "%Y-%m-%d",
    "%d-%m-%Y",
    "%d-%m-%y",
    "%Y.%m.%d",
)
_LIST_SPLIT = re.compile(r"[;,/\n]+")
# "1 февраля 2010", "01-фев-2010" (Russian Excel's ДД-МММ-ГГГГ), "12 ақпан 2010", "1 Feb 2010".
_MONTH_DATE = re.compile(r"(\d{1,2})[\s.\-/]*([^\W\d_]{3,})\.?[\s.\-/]*(\d{4}|\d{2})")
_MONTHS = {
    **{
        word: n
        for n, word in enumerate(
            ("янв", "фев", "мар", "апр", "ма", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"), 1
        )
    },
    **{
        word: n
        for n, word in enumerate(
            ("қаң", "ақп", "нау", "сәу", "мам", "мау", "шіл", "там", "қыр", "қаз", "қар", "жел"), 1
        )
    },
    **{
        word: n
        for n, word in enumerate(
            ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
        )
    },
}
# What follows a date typed by hand: "01.02.2010 г.", "01.02.2010г", "2010 ж.".
_YEAR_WORD = re.compile(r"\s*(г|гг|года?|ж|жыл|жылы)\.?$", re.IGNORECASE)
# Latin letters that look like Cyrillic ones, typed into a Cyrillic name on a keyboard without
# the Kazakh layout (Latin i for і, h for һ) or pasted from another list. A small y is у's twin;
# a capital Y is left out, as like Ү as У.
_LOOK_ALIKE_LETTERS = "aceiopxyhkABCEHIKMOPTX"
_LOOK_ALIKES = str.maketrans(_LOOK_ALIKE_LETTERS, "асеіорхуһкАВСЕНІКМОРТХ")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_LATIN = re.compile("[A-Za-z]")
# A long number Excel showed in exponent form (6,11111E+11) and saved so in a CSV: its digits
# are gone from the file.
_EXPONENT = re.compile(r"\d+(?:[.,]\d+)?[eE][+-]?\d+")

# One letter, or letters each with its dot: "И", "И.", "И.И.", "И. И" (and not "Ян").
_INITIALS = re.compile(r"[^\W\d_]|(?:[^\W\d_]\.\s*)+[^\W\d_]?")
# A phone or an IIN as another program writes a number column into a CSV (an accounting
# export, a script's): "87011234567.0", or "…,0" in a Russian locale. Read as written, every
# such phone was "not a phone number" and every such IIN "not 12 digits".
_NUMBER_FIELDS = frozenset(("phone", "guardian_phone", "iin"))
_WHOLE_NUMBER = re.compile(r"(\+?\d+)[.,]0+")

# What a spreadsheet shows (and saves) in a cell whose formula fails: a VLOOKUP that found
# nobody (#N/A), a column deleted under a reference (#REF!). Read as text, "#N/A" was imported as
# a locality, a patronymic or a parent's name.
_CELL_ERROR = re.compile(
    r"#(?:N/A|REF!|VALUE!|DIV/0!|NAME\?|NUM!|NULL!|SPILL!|CALC!)|Err:\d{3}", re.IGNORECASE
)
MSG_CELL_ERROR = _(
    "The spreadsheet shows an error in this cell (%(value)s): correct its formula or type the value."
)

MSG_REQUIRED_LAST = _("Enter the last name.")
MSG_REQUIRED_FIRST = _("Enter the first name.")
MSG_INITIALS = _("Initials only: write the name in full, as in the person's documents.")
MSG_REQUIRED_BIRTH = _("Enter the date of birth.")
MSG_DATE = _("Write the date as dd.mm.yyyy, for example 25.03.2004.")
MSG_EMAIL = _("Enter a valid e-mail address.")
MSG_TOO_LONG = _("Too long: at most %(limit)s characters.")
MSG_REGION_UNKNOWN = _("Unknown region: write its name as in the list of regions.")
MSG_REGION_SCOPE = _("This region is not one you manage: the row is refused.")
MSG_SKILL_UNKNOWN = _("Unknown skill “%(name)s”: add it to the skills catalogue or remove it.")
MSG_DETACHMENT_UNKNOWN = _("No detachment “%(name)s” in this region.")
MSG_RELATION = _("Write mother, father, guardian or other.")
MSG_LANGUAGE = _("Write kk, ru or en.")
MSG_TWO_PHONES = _(
    "Two numbers in one cell: keep one here, the person's own mobile. "
    "A parent's number goes in the guardian's phone column."
)
MSG_YEAR_ONLY = _("Only the year (%(year)s) is given: write the whole date of birth, for example 25.03.2004.")
MSG_LOST_LETTERS = _(
    "Letters were lost here (“?”) when the file was saved: Excel writes Kazakh letters so in a "
    "plain CSV. Upload the spreadsheet itself (.xlsx), or save it as “CSV UTF-8”."
)
MSG_EXPONENT = _(
    "The spreadsheet saved this number as %(value)s and its digits are lost. Upload the spreadsheet "
    "itself (.xlsx) instead of the CSV, or format the column as Text and type the numbers again."
)

_RELATIONS = {
    **dict.fromkeys(("мать", "мама", "ана", "анасы", "mother", "mom"), "mother"),
    **dict.fromkeys(("отец", "папа", "әке", "әкесі", "father", "dad"), "father"),
    **dict.fromkeys(("опекун", "қамқоршы", "guardian", "legal guardian", "попечитель"), "guardian"),
    **dict.fromkeys(("другое", "басқа", "other", "бабушка", "дедушка", "әже", "ата"), "other"),
}
_LANGUAGES = {
    **dict.fromkeys(("kk", "kz", "қаз", "каз", "қазақша", "казахский", "kazakh", "қазақ тілі"), "kk"),
    **dict.fromkeys(("ru", "рус", "русский", "орыс", "орысша", "russian"), "ru"),
    **dict.fromkeys(("en", "eng", "english", "английский", "ағылшын"), "en"),
}
_EMAIL_LENGTH: int = Volunteer._meta.get_field("email").max_length  # type: ignore[assignment]
_LENGTHS = {
    name: Volunteer._meta.get_field(name).max_length  # type: ignore[union-attr]
    for name in ("last_name", "first_name", "middle_name", "locality", "guardian_name")
}

# Error = [message id, parameters]; errors of a row = {field: [Error, …]}.
Errors = dict[str, list[list[Any]]]


def _error(errors: Errors, field_name: str, message: Any, params: dict[str, Any] | None = None) -> None:
    with translation.override(None):
        msgid = str(message)
    errors.setdefault(field_name, []).append([msgid, params or {}])


def _add_validation_error(errors: Errors, field_name: str, exc: ValidationError) -> None:
    for item in exc.error_list if hasattr(exc, "error_list") else [exc]:
        params = item.params or {}
        _error(
            errors, field_name, item.message, {k: v for k, v in params.items() if isinstance(v, str | int)}
        )


def errors_of(exc: ValidationError) -> Errors:
    """A model's ValidationError as stored errors: message ids per field ("" for the row)."""
    errors: Errors = {}
    if hasattr(exc, "error_dict"):
        for name, problems in exc.error_dict.items():
            for problem in problems:
                _add_validation_error(errors, "" if name == NON_FIELD_ERRORS else name, problem)
    else:
        _add_validation_error(errors, "", exc)
    return errors


def error_text(error: list[Any]) -> str:
    """One stored error in the active language. An error stored as translated text by an
    earlier version (a failed fill) is found in the catalogues and said in this language too;
    one with its values already in it is shown as it was written."""
    msgid, params = error
    text = gettext(msgid)
    if text == msgid and not params:
        text = gettext(_untranslated().get(msgid, msgid))
    try:
        return text % params if params else text
    except (KeyError, ValueError, TypeError):
        return text


@functools.cache
def _untranslated() -> dict[str, str]:
    """Russian and Kazakh texts of the catalogues → their message ids (read once)."""
    found: dict[str, str] = {}
    for language in ("ru", "kk"):
        catalog = translation.trans_real.translation(language)._catalog  # type: ignore[attr-defined]
        for msgid, text in catalog.items():
            if isinstance(msgid, str) and isinstance(text, str) and text and "%(" not in msgid:
                found.setdefault(text, msgid)
    return found


_SLASH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})")
# Enough rows to tell a column's order of dates by: a large file is not read twice through.
ORDER_SAMPLE = 5000


def month_first(values: Iterable[Any]) -> bool:
    """Whether a column's dates with slashes are written month first, as Google Sheets and Excel
    in an American locale write them into a CSV (2/13/2010): one has a second number over 12,
    and none a first. Read day first, such a file's dates were refused past the 12th and
    silently swapped up to it (2/1/2010, the 1st of February, imported as the 2nd of January)."""
    found = False
    for seen, value in enumerate(values, start=1):
        slash = _SLASH_DATE.fullmatch(str(value).strip().split(" ")[0]) if isinstance(value, str) else None
        if slash is not None:
            if int(slash[1]) > 12:
                return False
            found = found or int(slash[2]) > 12
        if seen >= ORDER_SAMPLE:
            break
    return found


def parse_date(
    value: Any, *, month_first: bool = False, epoch: datetime.date = EXCEL_EPOCH
) -> datetime.date | None:
    """dd.mm.yyyy (and the usual variants), ISO, a date cell, or an Excel serial day number
    counted from `epoch`; with `month_first`, a date with slashes is mm/dd/yyyy. Raises
    ValueError for anything else."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _serial(float(value), epoch)
    text = str(value).strip()
    if not text:
        return None
    if re.fullmatch(r"\d{4,5}(\.0+)?", text):
        return _serial(float(text), epoch)
    text = _YEAR_WORD.sub("", text).strip()
    if re.fullmatch(r"(19|20)\d\d", text):  # "1990 г."
        raise YearOnly(int(text))
    named = _MONTH_DATE.fullmatch(text.casefold())
    if named:
        day, word, year = named.groups()
        month = _MONTHS.get(word[:3], _MONTHS.get(word[:2]))
        if month is None:
            raise ValueError(text)
        if len(year) == 4:
            return datetime.date(int(year), month, int(day))
        return _past(datetime.date(2000 + int(year), month, int(day)))
    text = text.split(" ")[0].split("T")[0]
    slash = _SLASH_DATE.fullmatch(text) if month_first else None
    if slash:
        text = f"{slash[2]}/{slash[1]}/{slash[3]}"
    for fmt in _DATE_FORMATS:
        try:
            parsed = datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007  (a date, no time)
            return _past(parsed) if "%y" in fmt else parsed
        except ValueError:
            continue
    raise ValueError(text)


def _past(typed: datetime.date) -> datetime.date:
    """A date of birth typed with two digits of the year is the latest such day not in the
    future: "05.06.55" is 1955 (read as 2055, an older volunteer's row was refused as a date of
    birth in the future)."""
    if typed > timezone.localdate():
        try:
            return typed.replace(year=typed.year - 100)
        except ValueError:  # 29.02 of a year a century earlier that was not a leap year
            return typed.replace(year=typed.year - 100, day=28)
    return typed


class YearOnly(ValueError):
    """A year where the date of birth should be (a "Год рождения" column): 1990 is no day number
    (it is 12.06.1905, and every such row was told the person would be over 110)."""

    def __init__(self, year: int) -> None:
        super().__init__(year)
        self.year = year


def _serial(number: float, epoch: datetime.date = EXCEL_EPOCH) -> datetime.date:
    if number.is_integer() and 1900 <= number <= 2100:
        raise YearOnly(int(number))
    # 1..2958465 is what Excel accepts; a birth date is well inside.
    if not 1 <= number < 2958466:
        raise ValueError(number)
    return epoch + datetime.timedelta(days=int(number))


# "г." / "город" / "қ." / "қаласы" / "city" beside a city's name: without them the name is the
# region's centre, which the lookups know. "Алматы облысы" (the region around the city) keeps its
# word, so it never reads as the city.
_CITY_WORDS = frozenset(("г", "гор", "город", "қ", "қала", "қаласы", "city"))
# "обл." (or "обл") stands for the word each language's name of a region holds.
_REGION_SHORT = {"обл": ("область", "облысы")}


def _region_spellings(text: str) -> list[str]:
    """The cell folded, then without the city's word, then with "обл." written out."""
    folded = fold(text)
    words = [word.rstrip(".") for word in fold(folded.replace(".", ". ")).split()]
    spellings = [folded, " ".join(words)]
    city = [word for word in words if word not in _CITY_WORDS]
    if city:
        spellings.append(" ".join(city))
    for index, word in enumerate(words):
        for whole in _REGION_SHORT.get(word, ()):
            spellings.append(" ".join([*words[:index], whole, *words[index + 1 :]]))
    return spellings


class Lookups:
    """What a row's words are matched against, read once per batch (a handful of queries)."""

    def __init__(self, *, user: Any, region: Region, detachment_model: Any) -> None:
        self.region = region
        self.scope = scoped_region_ids(user)
        self.regions: dict[str, int] = {}
        for r in Region.objects.all():
            for word in (
                r.name_kk,
                r.name_ru,
                r.name_en,
                r.code,
                r.iso_code,
                r.center_kk,
                r.center_ru,
                r.center_en,
            ):
                self.regions.setdefault(fold(word), r.pk)
        self.skills: dict[str, int] = {}
        for s in Skill.objects.all():
            for word in (s.code, s.name_kk, s.name_ru, s.name_en):
                self.skills[fold(word)] = s.pk
        scope_q = {} if self.scope is None else {"region_id__in": self.scope}
        self.detachments: dict[tuple[int, str], int] = {}
        for d in detachment_model._default_manager.filter(**scope_q):
            for word in (str(d), d.school_name, d.school_number):
                if word:
                    self.detachments.setdefault((d.region_id, fold(word)), d.pk)
        self.today = timezone.localdate()
        # The file's order of the dates with slashes (month_first), set once the column is read.
        self.month_first = False
        # The day the workbook's day numbers count from (reading.date_epoch).
        self.epoch = EXCEL_EPOCH
        # A blank profile, copied for each row's model rules (validate_row): a copy is a third
        # of what building a model with all its defaults costs, once a row.
        self.blank_person = Volunteer()

    def region_id(self, text: str) -> int | None:
        """The region a cell names, as coordinators write it: "г. Алматы", "г.Астана",
        "Алматы қ.", "Алматинская обл." were each refused as an unknown region."""
        for candidate in _region_spellings(text):
            found = self.regions.get(candidate)
            if found is not None:
                return found
        return None

    def in_scope(self, region_id: int) -> bool:
        return self.scope is None or region_id in self.scope


@dataclass
class RowResult:
    values: dict[str, Any] = field(default_factory=dict)
    errors: Errors = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)


# The IIN is encrypted at rest: people are found by its keyed hash (volunteers/crypto.py).
IIN_LOOKUP = "iin_hash"


def iin_key(iin: str) -> str:
    """The form of an IIN the roster is searched by: its keyed hash ("" for none)."""
    return crypto.iin_digest(iin) if iin else ""


_PHONE_SPLIT = re.compile(r"\s*(?:[,;/\\\n]|\s(?:и|және|or|или|немесе)\s)\s*", re.IGNORECASE)


def _several_phones(text: str) -> bool:
    """Two or more numbers, each a phone, written in one cell."""
    parts = [part for part in _PHONE_SPLIT.split(text) if part.strip()]
    if len(parts) < 2:
        return _two_phones_by_spaces(text)
    try:
        for part in parts:
            normalize_phone(part)
    except ValidationError:
        return False
    return True


def _two_phones_by_spaces(text: str) -> bool:
    """ "8 701 123 45 67 8 777 765 43 21": two numbers with nothing but a space between them,
    told only "Enter a phone number such as …". One split of the words gives two phones."""
    words = text.split()
    if not 2 <= len(words) <= 16 or not 20 <= sum(ch.isdigit() for ch in text) <= 24:
        return False
    for cut in range(1, len(words)):
        try:
            normalize_phone(" ".join(words[:cut]))
            normalize_phone(" ".join(words[cut:]))
        except ValidationError:
            continue
        return True
    return False


def one_script(name: str) -> str:
    """Each word of a Cyrillic name in Cyrillic letters: "Әлiбек" typed with a Latin i is
    "Әлібек", as the roster holds it and as duplicates are found by. A word in Latin letters
    ("Ivanov"), or with a Latin letter that has no Cyrillic twin, is left as written."""
    if not _LATIN.search(name) or not _CYRILLIC.search(name):
        return name
    words = []
    for word in name.split(" "):
        latin = set(_LATIN.findall(word))
        if latin and _CYRILLIC.search(word) and latin <= set(_LOOK_ALIKE_LETTERS):
            word = word.translate(_LOOK_ALIKES)
        words.append(word)
    return " ".join(words)


# The endings of a patronymic (Иванович, Ильич, Сериковна, Ильинична, Серікұлы, Нұрланқызы,
# Serikovich, Nurlanovna, Serikuly) and the words that make one of a father's name
# ("Нұрлан ұлы", "Мамед оглы").
_PATRONYMIC = re.compile(r"\w+(вич|ьич|вна|чна|ұлы|қызы|улы|кызы|vich|vna|uly|qyzy|kyzy)", re.IGNORECASE)
_PATRONYMIC_WORDS = frozenset(("ұлы", "қызы", "улы", "кызы", "оглы", "uly", "qyzy", "kyzy"))


def split_patronymic(first: str) -> tuple[str, str]:
    """ "Айгуль Сериковна" in the first-name column ("Имя, отчество") → the first name and
    the patronymic: imported as it was, the patronymic became part of the first name."""
    words = first.split()
    if len(words) >= 3 and words[-1].casefold() in _PATRONYMIC_WORDS:
        return " ".join(words[:-2]), " ".join(words[-2:])
    if len(words) >= 2 and _PATRONYMIC.fullmatch(words[-1]):
        return " ".join(words[:-1]), words[-1]
    return first, ""


# Apostrophes inside a name: the letter after one stays small (Uzbek and Latin-Kazakh names:
# G'ayrat, O'ktam; an Irish O'Brien typed in capitals is the rarer loss).
_APOSTROPHES = "'’ʼʻ`"
_WORD_PART = re.compile(f"([\\-\\s{_APOSTROPHES}]+)")


def from_capitals(name: str) -> str:
    """A name typed in capitals ("ИВАНОВ", "ӘБДІҚАДІРОВА-СМАҒҰЛОВА", "НҰРЛАН ҰЛЫ") as it is written
    in the person's documents: each part of a hyphenated name capitalised, the patronymic's
    "ұлы"/"қызы"/"оглы" small. A name with any small letter is left as typed (McDonald, ДиКаприо).
    Kept in capitals, such a person stood out on every list, letter and certificate."""
    if name != name.upper() or name == name.lower():
        return name
    parts = _WORD_PART.split(name.lower())
    out = []
    for index, part in enumerate(parts):
        after_apostrophe = index > 0 and parts[index - 1].strip() and parts[index - 1][-1] in _APOSTROPHES
        if index % 2 == 0 and part and not after_apostrophe and part not in _PATRONYMIC_WORDS:
            part = part[0].upper() + part[1:]
        out.append(part)
    return "".join(out)


def _split_list(text: str) -> Iterable[str]:
    return (part.strip() for part in _LIST_SPLIT.split(text) if part.strip())


def validate_row(cells: dict[str, Any], lookups: Lookups) -> RowResult:
    """`cells`: field → the cell as read (text, or a date / number from an XLSX)."""
    result = RowResult()
    errors, values = result.errors, result.values
    failed = {
        name: value.strip()
        for name, value in cells.items()
        if isinstance(value, str) and _CELL_ERROR.fullmatch(value.strip())
    }
    for name, value in failed.items():
        _error(errors, name, MSG_CELL_ERROR, {"value": value})
    if failed:
        # Read as empty: what the cell should hold is not known.
        cells = {**cells, **dict.fromkeys(failed, None)}

    def text(name: str) -> str:
        value = cells.get(name)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        written = str(value).strip()
        if name in _NUMBER_FIELDS:
            whole = _WHOLE_NUMBER.fullmatch(written)
            return whole.group(1) if whole else written
        return written

    last, first, middle = text("last_name"), text("first_name"), text("middle_name")
    if text("full_name") and not (last or first):
        last, first, split_middle = split_full_name(text("full_name"))
        middle = middle or split_middle
    if not middle:
        first, middle = split_patronymic(first)
    last, first, middle = (from_capitals(one_script(part)) for part in (last, first, middle))
    target = "full_name" if "full_name" in cells and "last_name" not in cells else "last_name"
    if not last:
        _error(errors, target, MSG_REQUIRED_LAST)
    first_target = "full_name" if "first_name" not in cells else "first_name"
    if not first:
        _error(errors, first_target, MSG_REQUIRED_FIRST)
    # "Иванов И.И.", as school and office lists write people: the initials were imported as the
    # first name, a record no one could be called by, and which no later registration matched.
    for name, name_target in ((last, target), (first, first_target)):
        if _INITIALS.fullmatch(name):
            _error(errors, name_target, MSG_INITIALS)
    values.update(last_name=last, first_name=first, middle_name=middle)
    lost: set[str] = set()
    for name, limit in _LENGTHS.items():
        value = values.get(name, text(name))
        target = name if name in cells else "full_name"
        if limit and len(value) > limit:
            _error(errors, target, MSG_TOO_LONG, {"limit": limit})
        # Ә, Ғ, Қ, Ң, Ө, Ұ, Ү, Һ have no place in Windows-1251: Russian-locale Excel saves them
        # into a CSV as "?", and "С?рсенбаев" was imported as a name.
        # "\ufffd": a byte the file's encoding has no letter for (a Windows-1251 name far down
        # a file whose first 64 KB were plain Latin, and so read as UTF-8).
        if ("?" in value or "\ufffd" in value) and target not in lost:
            lost.add(target)
            _error(errors, target, MSG_LOST_LETTERS)

    birth: datetime.date | None = None
    raw_birth = cells.get("birth_date")
    year_only = 0
    try:
        birth = (
            parse_date(raw_birth, month_first=lookups.month_first, epoch=lookups.epoch)
            if raw_birth not in (None, "")
            else None
        )
    except YearOnly as exc:
        year_only = exc.year  # the IIN may give the day (below)
    except (ValueError, OverflowError):
        _error(errors, "birth_date", MSG_DATE)

    for name in ("phone", "guardian_phone", "iin"):
        if _EXPONENT.fullmatch(text(name)):
            _error(errors, name, MSG_EXPONENT, {"value": text(name)[:20]})
    for name in ("phone", "guardian_phone"):
        if name in errors:
            values[name] = ""
            continue
        try:
            values[name] = normalize_phone(text(name))
        except ValidationError as exc:
            values[name] = ""
            if _several_phones(text(name)):
                # "8 701 123 45 67, 8 777 765 43 21": told only "Enter a phone number such as …".
                _error(errors, name, MSG_TWO_PHONES)
            else:
                _add_validation_error(errors, name, exc)

    email = text("email")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            _error(errors, "email", MSG_EMAIL)
            email = ""
        if len(email) > _EMAIL_LENGTH:
            # The validator takes up to 320 characters, the roster's column 254: a longer one
            # failed the whole file's check ("could not be processed") when its row was stored.
            _error(errors, "email", MSG_TOO_LONG, {"limit": _EMAIL_LENGTH})
            email = ""
    values["email"] = email

    iin = text("iin")
    if iin.isdigit() and len(iin) == 11:
        # Typed as a number, the IIN of someone born in 2000–2009 loses its leading zero.
        iin = "0" + iin
    values["iin"] = ""
    if iin and "iin" not in errors:
        try:
            values["iin"] = validate_iin(iin, birth)
        except ValidationError as exc:
            _add_validation_error(errors, "iin", exc)
    if birth is None and values["iin"] and "birth_date" not in errors:
        from ..validators import iin_birth_date

        birth = iin_birth_date(values["iin"])
        if birth is not None and year_only and birth.year != year_only:
            birth = None
    if birth is None and year_only:
        _error(errors, "birth_date", MSG_YEAR_ONLY, {"year": year_only})
    if birth is None and "birth_date" not in errors:
        _error(errors, "birth_date", MSG_REQUIRED_BIRTH)
    values["birth_date"] = birth.isoformat() if birth else ""

    region_id = lookups.region.pk
    region_text = text("region")
    if region_text:
        found = lookups.region_id(region_text)
        if found is None:
            _error(errors, "region", MSG_REGION_UNKNOWN)
        else:
            region_id = found
    if not lookups.in_scope(region_id):
        _error(errors, "region", MSG_REGION_SCOPE)
    values["region_id"] = region_id
    values["locality"] = text("locality")

    skill_ids: list[int] = []
    for word in _split_list(text("skills")):
        skill_id = lookups.skills.get(fold(word))
        if skill_id is None:
            _error(errors, "skills", MSG_SKILL_UNKNOWN, {"name": word[:50]})
        elif skill_id not in skill_ids:
            skill_ids.append(skill_id)
    values["skill_ids"] = skill_ids

    detachment = text("detachment")
    values["detachment_id"] = None
    if detachment:
        found_d = lookups.detachments.get((region_id, fold(detachment)))
        if found_d is None:
            _error(errors, "detachment", MSG_DETACHMENT_UNKNOWN, {"name": detachment[:80]})
        values["detachment_id"] = found_d

    values["guardian_name"] = from_capitals(one_script(text("guardian_name")))
    relation = text("guardian_relation")
    values["guardian_relation"] = ""
    if relation:
        code = _RELATIONS.get(
            fold(relation), fold(relation) if fold(relation) in Volunteer.GuardianRelation.values else None
        )
        if code is None:
            _error(errors, "guardian_relation", MSG_RELATION)
        else:
            values["guardian_relation"] = code
    elif values["guardian_name"]:
        # A name with no relation written: a representative all the same.
        values["guardian_relation"] = Volunteer.GuardianRelation.OTHER
    language = text("preferred_language")
    values["preferred_language"] = Volunteer.Language.KAZAKH
    if language:
        code = _LANGUAGES.get(fold(language))
        if code is None:
            _error(errors, "preferred_language", MSG_LANGUAGE)
        else:
            values["preferred_language"] = code

    # The model's own rules (age limits, a minor's guardian, …), as every form applies them.
    # The phones are checked above already: parsing a number is the dearest step of a row, so
    # the model sees a placeholder where there is one, and no second parse.
    person = copy.copy(lookups.blank_person)
    person.last_name, person.first_name, person.middle_name = last, first, middle
    person.birth_date, person.email, person.region_id = birth, email, region_id
    person.iin = values["iin"] or None
    person.guardian_name = values["guardian_name"]
    person.guardian_relation = values["guardian_relation"]
    person.preferred_language = values["preferred_language"]
    try:
        person.clean()
    except ValidationError as exc:
        for name, problems in exc.error_dict.items():
            if name in errors:
                continue
            if name == "guardian_phone" and (values["guardian_phone"] or text("guardian_phone")):
                continue  # required for a minor, and given
            for problem in problems:
                _add_validation_error(errors, name, problem)

    result.keys = {
        "key_iin": iin_key(values["iin"]),
        # A child's row often gives the parent's number as the phone too: that number is not the
        # child's to be recognised by. Siblings were each other's duplicates (the second one
        # skipped), and a child the parent's, whose record is on the roster with that phone.
        "key_phone": values["phone"] if values["phone"] != values["guardian_phone"] else "",
        "key_email": email.casefold(),
        "key_person": "|".join([fold(last), fold(first), fold(middle), values["birth_date"], str(region_id)])
        if last and first and birth
        else "",
        # As Volunteer.search_name holds it.
        "key_name": fold(" ".join(p for p in (last, first, middle) if p)) if last and first and birth else "",
    }
    return result
