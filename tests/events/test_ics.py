"""The iCalendar text: escaping and folding by the RFC 5545 rules."""

from volunteer_net.ics import CRLF, escape_text, fold


def test_text_escaping() -> None:
    assert escape_text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"


def test_long_lines_fold_at_75_octets_without_splitting_a_letter() -> None:
    line = "SUMMARY:" + "Қарттарға көмек, Өскемен қаласы — " * 6
    folded = fold(line)
    parts = folded.split(CRLF)
    assert len(parts) > 1
    assert all(len(part.encode()) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert folded.replace(CRLF + " ", "") == line


def test_short_line_is_left_alone() -> None:
    assert fold("UID:shift-1@volunteer.kz") == "UID:shift-1@volunteer.kz"
