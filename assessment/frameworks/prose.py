"""The report paragraphs a piece of prose names, so that each can be checked against the item's
references ("Annex 4 paras 62 to 63", "F.6 para 44; J.5 paras 24, 26", "(paras 13, 29)")."""

import re

SECTION = r"(?:Annex\s+\d+|[A-Z]\.\d+)"
DASHES = "\u2013\u2014-"  # en dash, em dash, hyphen
NUMBERS = rf"\d+(?:\s*(?:,|and|to|[{DASHES}])\s*\d+)*"
MENTION = re.compile(
    rf"(?:(?P<section>{SECTION})\s+)?(?:paragraphs?|paras?\.?)\s+(?P<numbers>{NUMBERS})\b"
)
RANGE = re.compile(rf"(\d+)\s*(?:to|[{DASHES}])\s*(\d+)")


def named_paragraphs(text: str) -> tuple[set[tuple[str, int]], list[str]]:
    """The (section, paragraph) pairs named in ``text``, and the mentions that name no section.

    A mention without a section ("paras 13, 29") belongs to the last section named before it in
    the same text; with none before it, it is returned as unplaced.
    """
    found: set[tuple[str, int]] = set()
    unplaced: list[str] = []
    section = None
    for match in MENTION.finditer(text or ""):
        if match["section"]:
            section = re.sub(r"\s+", " ", match["section"])
        if section is None:
            unplaced.append(match.group(0))
            continue
        numbers = match["numbers"]
        for first, last in RANGE.findall(numbers):
            found |= {(section, n) for n in range(int(first), int(last) + 1)}
        found |= {(section, int(n)) for n in re.findall(r"\d+", RANGE.sub("", numbers))}
    return found, unplaced
