"""Search that knows how people type Kazakh names.

A coordinator types on a Russian keyboard ("Нурлан" for Нұрлан, "асел" for Әсел) or in Latin —
the 2021 Kazakh Latin alphabet ("Qanat", "Ǵalym") or a passport-style transliteration ("Zhanna",
"Yerlan", "Shynar"). Each volunteer's `search_text` therefore holds three forms of the name:

* as written, case-folded (exact matches rank first);
* folded to the letters of a Russian keyboard (ә→а, ғ→г, қ→к, ң→н, ө→о, ұ/ү→у, һ→х, і→и, ё→е);
* a Latin skeleton in which the common spellings of one sound coincide (ж, zh, j → "j";
  ш, sh → "w"; қ, q, k → "k"; й, ы, і, и, y, i → "i" …).

A query word is matched against the same forms, so the trigram index on `search_text` serves
every one of them.
"""

from __future__ import annotations

import re
import unicodedata

# Kazakh letters a Russian keyboard lacks, typed as their nearest Russian letter.
_KEYBOARD_FOLD = str.maketrans(
    {"ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х", "і": "и", "ё": "е"}
)

# Cyrillic → the Latin skeleton. One letter per sound class; digraph sounds get a letter of their
# own (ш → w, ч/ц → c, ж → j) so that the skeleton of "Шынар" and of "Shynar" coincide.
_CYRILLIC_SKELETON = str.maketrans(
    {
        "а": "a",
        "ә": "a",
        "б": "b",
        "в": "v",
        "г": "g",
        "ғ": "g",
        "д": "d",
        "е": "e",
        "ё": "e",
        "ж": "j",
        "з": "z",
        "и": "i",
        "й": "i",
        "і": "i",
        "ы": "i",
        "к": "k",
        "қ": "k",
        "л": "l",
        "м": "m",
        "н": "n",
        "ң": "n",
        "о": "o",
        "ө": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "у": "u",
        "ұ": "u",
        "ү": "u",
        "ф": "f",
        "х": "h",
        "һ": "h",
        "ц": "c",
        "ч": "c",
        "ш": "w",
        "щ": "w",
        "ъ": "",
        "ь": "",
        "э": "e",
        "ю": "iu",
        "я": "ia",
    }
)

# Latin spellings, longest first, folded onto the same skeleton.
_LATIN_DIGRAPHS = (
    ("shch", "w"),
    ("sch", "w"),
    ("sh", "w"),
    ("ch", "c"),
    ("ts", "c"),
    ("zh", "j"),
    ("kh", "h"),
    ("yu", "iu"),
    ("ya", "ia"),
    ("yo", "e"),
    ("ye", "e"),
)
_LATIN_LETTERS = str.maketrans({"q": "k", "x": "h", "y": "i", "ı": "i", "ş": "w", "ç": "c"})


def fold(text: str) -> str:
    """Case-folded, as written."""
    return " ".join(text.casefold().split())


def keyboard_fold(text: str) -> str:
    """Folded to what a Russian keyboard can type."""
    return fold(text).translate(_KEYBOARD_FOLD)


def _strip_accents(text: str) -> str:
    # á → a, ǵ → g, ń → n, ó → o, ú → u (Kazakh Latin 2021); ş and ı are handled as letters.
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def latin_skeleton(word: str) -> str:
    """The skeleton of a word typed in Latin letters."""
    text = _strip_accents(fold(word).replace("ş", "sh").replace("ç", "ch")).replace("ı", "i")
    for digraph, letter in _LATIN_DIGRAPHS:
        text = text.replace(digraph, letter)
    return _collapse_doubles(text.translate(_LATIN_LETTERS))


_DOUBLES = re.compile(r"(\w)\1+")


def _collapse_doubles(text: str) -> str:
    # "Zhanna", "Janna" and "Жанна"; "Khassenov" and "Хасенов": doubled letters are spelling noise.
    return _DOUBLES.sub(r"\1", text)


def cyrillic_skeleton(text: str) -> str:
    """The skeleton of a name written in Cyrillic (Latin letters in it are folded likewise)."""
    return " ".join(
        latin_skeleton(word) if is_latin_word(word) else _collapse_doubles(word.translate(_CYRILLIC_SKELETON))
        for word in fold(text).split()
    )


def _is_latin(word: str) -> bool:
    # Folded first: names copied from an identity card are in capitals ("QASYMOV").
    return any("a" <= ch <= "z" for ch in _strip_accents(fold(word)))


def is_latin_word(word: str) -> bool:
    """A word typed in Latin letters only (no Cyrillic), e.g. "Qanat" or an e-mail."""
    return _is_latin(word) and not any("\u0400" <= ch <= "\u04ff" for ch in word)


def name_search_forms(name: str) -> list[str]:
    """The forms of a name kept in `search_text`, without repeats."""
    forms = [fold(name), keyboard_fold(name), cyrillic_skeleton(name)]
    return list(dict.fromkeys(f for f in forms if f))


def query_word_forms(word: str) -> list[str]:
    """What one query word may match: as typed, keyboard-folded, or (typed in Latin) its skeleton."""
    forms = [fold(word), keyboard_fold(word)]
    if is_latin_word(word):
        forms.append(latin_skeleton(word))
    return list(dict.fromkeys(f for f in forms if f))
