"""Kazakhstan-specific input: phone numbers and the IIN (individual identification number)."""

from __future__ import annotations

import datetime
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def ascii_digits(value: str) -> str:
    """Read decimal digits of any script as 0-9 and refuse other digit-like signs.

    Phones and on-screen keyboards type Arabic-Indic (٠١٢), fullwidth (０１２) and other decimal
    digits; they mean the same number. Superscripts (²) and circled digits pass `str.isdigit()`
    but `int()` cannot read them and nobody means them as a number, so they are refused here,
    before any check that counts or converts digits.
    """
    chars = []
    for ch in value:
        if ch.isascii():
            chars.append(ch)
            continue
        decimal = unicodedata.decimal(ch, None)
        if decimal is not None:
            chars.append(str(decimal))
        elif ch.isdigit():
            raise ValidationError(_("Type the number with the digits 0–9."), code="digits")
        else:
            chars.append(ch)
    return "".join(chars)


def normalize_phone(value: str) -> str:
    """Return a Kazakhstan phone number, mobile or landline, in E.164 (+77011234567).

    Accepts what people write: `8 701 123 45 67`, `+7 (701) 123-45-67`, `87011234567`, `7011234567`,
    in the digits of any script (see `ascii_digits`).
    """
    raw = ascii_digits(value or "").strip()
    if not raw:
        return ""
    digits = "".join(ch for ch in raw if ch.isdigit())
    # The national trunk prefix 8 is still the everyday way to write numbers here.
    if len(digits) == 11 and digits.startswith("8") and not raw.startswith("+"):
        candidate = "+7" + digits[1:]
    elif len(digits) == 10:
        candidate = "+7" + digits
    elif raw.startswith("+") or (len(digits) == 11 and digits.startswith("7")):
        candidate = "+" + digits
    else:
        raise ValidationError(
            _("Enter a phone number such as +7 701 123 45 67 or 8 701 123 45 67."), code="invalid_phone"
        )
    try:
        number = phonenumbers.parse(candidate, "KZ")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            _("Enter a phone number such as +7 701 123 45 67 or 8 701 123 45 67."), code="invalid_phone"
        ) from exc
    if number.country_code != 7 or not phonenumbers.is_valid_number_for_region(number, "KZ"):
        raise ValidationError(_("Enter a valid Kazakhstan phone number."), code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_mobile(phone: str) -> bool:
    """Whether an SMS can reach this number: a Kazakhstan mobile, not a landline.

    `normalize_phone` accepts landlines (+7 727 … in Almaty), which are fine to call; the SMS
    gateway refuses them, so choosing SMS and sending by SMS both ask this first. The mobile
    codes (700–708, 747, 75x, 760–764, 771, 775–778, 785) come from libphonenumber's metadata.
    """
    if not phone:
        return False
    try:
        number = phonenumbers.parse(phone, "KZ")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        # libphonenumber files the 751 range as VOIP; it is one of the 75x mobile codes here.
        phonenumbers.PhoneNumberType.VOIP,
    )


def format_phone(e164: str) -> str:
    """+77011234567 → +7 701 123 45 67, the way it is read aloud here."""
    if len(e164) == 12 and e164.startswith("+7"):
        d = e164[2:]
        return f"+7 {d[:3]} {d[3:6]} {d[6:8]} {d[8:]}"
    return e164


def mask_phone(e164: str) -> str:
    """+77011234567 → +7 701 *** ** 67: enough for its owner to recognise the number, not
    enough to read it off a screen."""
    if len(e164) == 12 and e164.startswith("+7"):
        return f"+7 {e164[2:5]} *** ** {e164[-2:]}"
    return f"{e164[:4]}{'*' * max(len(e164) - 6, 0)}{e164[-2:]}" if len(e164) > 6 else "*" * len(e164)


_WEIGHTS_1 = list(range(1, 12))
_WEIGHTS_2 = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]


def iin_check_digit(first11: str) -> int | None:
    digits = [int(c) for c in first11]
    s = sum(d * w for d, w in zip(digits, _WEIGHTS_1, strict=True)) % 11
    if s == 10:
        s = sum(d * w for d, w in zip(digits, _WEIGHTS_2, strict=True)) % 11
        if s == 10:
            return None
    return s


def iin_birth_date(iin: str) -> datetime.date | None:
    century_digit = int(iin[6])
    century = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}.get(century_digit)
    if century is None:
        return None
    try:
        return datetime.date(century + int(iin[0:2]), int(iin[2:4]), int(iin[4:6]))
    except ValueError:
        return None


def validate_iin(value: str, birth_date: datetime.date | None = None) -> str:
    """Check the IIN's form, date and check digit, and that it agrees with the birth date.

    Returns the IIN in ASCII digits, the only form the database accepts.
    """
    iin = "".join(ascii_digits(value or "").split())
    if len(iin) != 12 or not (iin.isascii() and iin.isdigit()):
        raise ValidationError(_("The IIN must be exactly 12 digits."), code="iin_format")
    encoded = iin_birth_date(iin)
    if encoded is None:
        raise ValidationError(_("This IIN does not encode a valid date of birth."), code="iin_date")
    if iin_check_digit(iin[:11]) != int(iin[11]):
        raise ValidationError(
            _("This IIN is not valid: its check digit does not match."), code="iin_checksum"
        )
    if birth_date is not None and encoded != birth_date:
        raise ValidationError(
            _("The IIN does not match the date of birth (it encodes %(date)s)."),
            code="iin_birth_date",
            params={"date": encoded.strftime("%d.%m.%Y")},
        )
    return iin
