"""Headers → fields: the kk, ru and en words coordinators put at the top of their columns, and
the full name split into its parts."""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

from .reading import HEADER_SEARCH_ROWS

# The fields a column can fill, in the order the mapping form offers them.
FIELDS: dict[str, object] = {
    "full_name": _("Full name (last, first, patronymic)"),
    "last_name": _("Last name"),
    "first_name": _("First name"),
    "middle_name": _("Patronymic"),
    "birth_date": _("Date of birth"),
    "phone": _("Phone"),
    "email": _("E-mail"),
    "iin": _("IIN"),
    "region": _("Region"),
    "locality": _("Locality"),
    "skills": _("Skills"),
    "detachment": _("Detachment"),
    "guardian_name": _("Guardian's full name"),
    "guardian_phone": _("Guardian's phone"),
    "guardian_relation": _("Guardian's relation"),
    "preferred_language": _("Language for messages"),
}

_ALIASES: dict[str, tuple[str, ...]] = {
    "full_name": (
        "фио",
        "ф и о",
        "аты жөні",
        "аты жони",
        "тегі аты әкесінің аты",
        "аты-жөні",
        "full name",
        "name",
        "фамилия имя отчество",
        "фамилия имя",
        "фио волонтера",
        "фио участника",
        "волонтер",
        "участник",
    ),
    "last_name": ("фамилия", "тегі", "теги", "last name", "surname", "family name"),
    # "Имя, отчество" in one column beside "Фамилия": the patronymic is split off the first
    # name where it is written there (validation.split_patronymic).
    "first_name": (
        "имя",
        "аты",
        "first name",
        "given name",
        "имя отчество",
        "имя и отчество",
        "аты әкесінің аты",
        "аты және әкесінің аты",
    ),
    "middle_name": ("отчество", "әкесінің аты", "patronymic", "middle name"),
    "birth_date": (
        "дата рождения",
        "туған күні",
        "туған күн",
        "туылған күні",
        "date of birth",
        "birth date",
        "birthday",
        "д р",
        "дата рожд",
        "туған жылы",
        # A year alone: the IIN gives the day, or the row asks for it (validation.YearOnly).
        "год рождения",
        "год рожд",
        "year of birth",
        "birth year",
    ),
    "phone": (
        "телефон",
        "тел",
        "номер телефона",
        "моб телефон",
        "мобильный",
        "мобильный телефон",
        "phone",
        "mobile",
        "phone number",
        "ұялы телефон",
        "телефон нөмірі",
        "байланыс",
        "контакты",
        "контактный телефон",
    ),
    "email": (
        "email",
        "e mail",
        # With a Cyrillic "Е", as a Russian keyboard types it.
        "е mail",
        "эл почта",
        "электронная почта",
        "почта",
        "электрондық пошта",
        "пошта",
        "mail",
    ),
    "iin": ("иин", "жсн", "iin", "жсн иин", "иин жсн", "ж с н", "и и н"),
    "region": ("регион", "область", "облыс", "аймақ", "region", "oblast"),
    "locality": (
        "населенный пункт",
        "город",
        "село",
        "елді мекен",
        "қала",
        "ауыл",
        "locality",
        "city",
        "town",
        "village",
        "город село",
    ),
    "skills": ("навыки", "дағдылар", "skills", "умения", "квалификация"),
    "detachment": ("отряд", "жасақ", "detachment", "школа", "мектеп", "school", "unit"),
    "guardian_name": (
        "законный представитель",
        "родитель",
        "фио родителя",
        "ата ана",
        "ата анасы",
        "заңды өкіл",
        "guardian",
        "parent",
        "guardian name",
        "parent name",
        "ата анасының аты жөні",
        "заңды өкілінің аты жөні",
        "фио законного представителя",
    ),
    "guardian_phone": (
        "телефон родителя",
        "ата анасының телефоны",
        "guardian phone",
        "parent phone",
        "телефон законного представителя",
        "заңды өкілінің телефоны",
    ),
    "guardian_relation": ("кем приходится", "степень родства", "туыстығы", "relation", "relationship"),
    "preferred_language": ("язык", "тіл", "language", "язык общения", "байланыс тілі"),
}


def normalize_header(text: str) -> str:
    folded = text.casefold().replace("ё", "е")
    return " ".join(re.findall(r"\w+", folded))


ALIASES: dict[str, str] = {normalize_header(a): key for key, aliases in _ALIASES.items() for a in aliases}


_LABELS: dict[str, str] = {}


def _label_aliases() -> dict[str, str]:
    """The form's own labels in kk, ru and en: the template file's headers."""
    if not _LABELS:
        from django.utils import translation

        for language in ("kk", "ru", "en"):
            with translation.override(language):
                for key, label in FIELDS.items():
                    _LABELS.setdefault(normalize_header(str(label)), key)
    return _LABELS


def guess_field(header: str) -> str:
    """The field a header names, or "" when it is not one we know."""
    norm = normalize_header(header)
    if not norm:
        return ""
    if norm in ALIASES:
        return ALIASES[norm]
    labels = _label_aliases()
    if norm in labels:
        return labels[norm]
    # "Телефон (моб.)", "Дата рождения (дд.мм.гггг)": the known words at the start.
    for alias, key in sorted(ALIASES.items(), key=lambda item: -len(item[0])):
        if len(alias) > 3 and norm.startswith(alias + " "):
            return key
    return ""


def find_header_row(rows: list[list[str]]) -> int:
    """The 0-based index of the header among the first rows: the one naming most known fields
    (a title, merged across the columns above it, names none); else the first with two cells."""
    best, best_hits = -1, 0
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        hits = len({guess_field(cell) for cell in row if cell} - {""})
        if hits > best_hits:
            best, best_hits = index, hits
    if best >= 0:
        return best
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if sum(1 for cell in row if cell) >= 2:
            return index
    return 0


def auto_mapping(headers: list[str], remembered: dict[str, str] | None = None) -> dict[str, str]:
    """Column index (as text) → field: the coordinator's last choice for that header first, then
    the known words; each field taken by one column only."""
    remembered = remembered or {}
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for index, header in enumerate(headers):
        norm = normalize_header(header)
        key = remembered.get(norm, guess_field(header)) if norm else ""
        if key and key in FIELDS and key not in taken:
            mapping[str(index)] = key
            taken.add(key)
    if {"last_name", "full_name"} <= taken and "first_name" not in taken:
        # "Surname | Name": beside a surname, "Name" is the first name (every row was refused
        # for want of one, the full name being read only when no part is given).
        for column, key in mapping.items():
            if key == "full_name" and normalize_header(headers[int(column)]) == "name":
                mapping[column] = "first_name"
    return mapping


def split_full_name(text: str) -> tuple[str, str, str]:
    """ "Иванов Иван Иванович" → last, first, patronymic. Kazakh patronymics of two words
    ("Серікұлы", but also "Нұрлан ұлы") stay together; a lone word is the last name."""
    parts = text.split()
    if not parts:
        return "", "", ""
    if len(parts) == 1:
        return parts[0], "", ""
    if len(parts) == 2:
        return parts[0], parts[1], ""
    return parts[0], parts[1], " ".join(parts[2:])
