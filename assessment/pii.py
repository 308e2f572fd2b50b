"""Spotting text that looks like personal details, so that the user can be warned before saving.

The service records practice, never information that identifies a child. These checks are
deliberately cautious heuristics: they warn, and the person decides. Pure functions, no Django.
"""

import bisect
import hashlib
import re
from dataclasses import dataclass

WARNING = (
    "This service must not hold information that identifies a child, a family or a suspect. "
    "Check the text below and remove any personal details before you save."
)


@dataclass(frozen=True)
class Finding:
    kind: str  # "email", "phone", "nhs_number", "date_of_birth", "postcode", "name_and_date"
    description: str
    match: str


_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?|\(?0)\d(?:[\s-]?\d){8,9}\)?(?!\d)")
_TEN_DIGITS = re.compile(r"(?<!\d)(\d{3})[\s-]?(\d{3})[\s-]?(\d{4})(?!\d)")
_POSTCODE = re.compile(
    r"\b(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?)\s*\d[ABD-HJLNP-UW-Z]{2}\b", re.IGNORECASE
)
_MONTHS = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    "sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DATE = rf"(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:\d{{4}}|\d{{2}})|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})\.?\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})"
_DATE_OF_BIRTH = re.compile(
    rf"(?:\bd\.?o\.?b\.?|\bdate of birth|\bborn(?:\s+on)?|\bbirthday)\W{{0,6}}{_DATE}",
    re.IGNORECASE,
)
_ANY_DATE = re.compile(_DATE, re.IGNORECASE)
_NAME = re.compile(r"\b([A-Z][a-z]{1,20}(?:-[A-Z][a-z]+)?)\s+([A-Z][a-z]{1,20}(?:-[A-Z][a-z]+)?)\b")
# Capitalised pairs that are ordinary in safeguarding practice text, not names of people.
_NOT_NAMES = {
    "the",
    "a",
    "an",
    "in",
    "on",
    "at",
    "by",
    "for",
    "from",
    "of",
    "our",
    "we",
    "this",
    "that",
    "it",
    "all",
    "police",
    "council",
    "county",
    "city",
    "borough",
    "social",
    "care",
    "children",
    "child",
    "young",
    "services",
    "service",
    "health",
    "board",
    "partnership",
    "safeguarding",
    "local",
    "authority",
    "national",
    "team",
    "unit",
    "hub",
    "meeting",
    "panel",
    "group",
    "home",
    "office",
    "school",
    "trust",
    "nhs",
    "camhs",
    "mace",
    "court",
    "crown",
    "government",
    "welsh",
    "english",
    "wales",
    "england",
    "north",
    "south",
    "east",
    "west",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "annex",
    "part",
    "para",
    "section",
    "report",
    "inquiry",
    "barnardo",
    "operation",
    "protocol",
    "strategy",
    "profile",
    "audit",
    "review",
}


def nhs_number_is_valid(digits: str) -> bool:
    """Modulus 11 check of a ten-digit NHS number."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


NEAR = 40  # characters between a name and a date that count as "next to"


def _names_near_dates(text: str) -> list[str]:
    """Capitalised pairs that are not ordinary words, within ``NEAR`` characters of a date.

    Dates come in text order and do not overlap, so their starts and ends are both sorted: each
    name looks up the nearest ones by bisection (linear in the text, not names x dates)."""
    dates = [m.span() for m in _ANY_DATE.finditer(text)]
    if not dates:
        return []
    starts = [d_start for d_start, _ in dates]
    ends = [d_end for _, d_end in dates]
    found = []
    for match in _NAME.finditer(text):
        first, last = match.group(1).lower(), match.group(2).lower()
        if first in _NOT_NAMES or last in _NOT_NAMES:
            continue
        start, end = match.span()
        if _any_within(starts, end) or _any_within(ends, start):
            found.append(match.group(0))
    return found


def _any_within(positions: list[int], at: int) -> bool:
    """Whether a sorted ``positions`` holds one within ``NEAR`` of ``at``."""
    index = bisect.bisect_left(positions, at - NEAR)
    return index < len(positions) and positions[index] <= at + NEAR


def find_personal_data(text: str) -> list[Finding]:
    """Everything in ``text`` that looks like a personal detail, in the order of the checks."""
    if not text:
        return []
    findings: list[Finding] = []
    for match in _EMAIL.finditer(text):
        findings.append(Finding("email", "an email address", match.group(0)))
    nhs_spans = []
    for match in _TEN_DIGITS.finditer(text):
        if nhs_number_is_valid("".join(match.groups())):
            nhs_spans.append(match.span())
            findings.append(Finding("nhs_number", "an NHS number", match.group(0)))
    for match in _PHONE.finditer(text):
        if not any(s <= match.start() < e for s, e in nhs_spans):
            findings.append(Finding("phone", "a phone number", match.group(0).strip()))
    for match in _DATE_OF_BIRTH.finditer(text):
        findings.append(Finding("date_of_birth", "a date of birth", match.group(0)))
    for match in _POSTCODE.finditer(text):
        findings.append(Finding("postcode", "a postcode", match.group(0)))
    for name in _names_near_dates(text):
        findings.append(Finding("name_and_date", "a name next to a date", name))
    return findings


def text_digest(texts: list[str]) -> str:
    """SHA-256 of the texts a person confirmed identify nobody, to keep with their word."""
    return hashlib.sha256("\x1f".join(t.strip() for t in texts).encode()).hexdigest()
