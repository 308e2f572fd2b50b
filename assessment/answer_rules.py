"""What an answer may say: the one set of rules the answer form and the JSON import both call.

Values are the plain fields a person fills in (``Answer.VALUE_FIELDS``), already of the right
Python type (dates as ``date``, numbers as ``int``); turning text into those types is the
caller's job, because a form and a file say "this is not a date" differently. Everything else
is here: what an empty answer is, which fields each kind of question takes, number and date
ranges, the period, the lengths of text, and when "does not apply" is allowed.
"""

from dataclasses import dataclass
from datetime import date

from assessment.models import Answer, Kind, Nation, Question
from assessment.models.framework import CHOICE_KINDS

MAX_NUMBER = 10_000_000
EARLIEST = date(1990, 1, 1)

EMPTY: dict = {name: None for name in Answer.VALUE_FIELDS} | {
    "selected": [],
    "text": "",
    "evidence": "",
    "not_applicable": False,
    "not_applicable_reason": "",
}

# The value fields each kind of question takes (evidence and "does not apply" go with all).
FIELDS_OF_KIND: dict[str, tuple[str, ...]] = {
    Kind.SINGLE: ("selected",),
    Kind.YES_NO: ("selected",),
    Kind.MULTIPLE: ("selected",),
    Kind.INDICATOR: ("numerator", "denominator", "period_start", "period_end"),
    Kind.COUNT: ("number", "period_start", "period_end"),
    Kind.DATE: ("date_value",),
    Kind.TEXT: ("text",),
}
DATE_LABELS = {
    "date_value": "Date",
    "period_start": "Start of the period",
    "period_end": "End of the period",
}
TEXT_LIMITS = {
    "text": ("Your answer", Answer.TEXT_LIMIT),
    "evidence": ("How do you know?", Answer.EVIDENCE_LIMIT),
    "not_applicable_reason": ("Why does it not apply?", Answer.REASON_LIMIT),
}


@dataclass(frozen=True)
class Problem:
    field: str  # one of Answer.VALUE_FIELDS
    message: str  # starts with the question's code: "PP-01: enter the date"


def normalise(values: dict) -> dict:
    """The values in a form that compares equal when the answer says the same thing."""
    out = dict(EMPTY)
    out.update({k: v for k, v in values.items() if k in Answer.VALUE_FIELDS})
    out["selected"] = sorted(out["selected"] or [])
    for key in ("text", "evidence", "not_applicable_reason"):
        out[key] = (out[key] or "").strip()
    out["not_applicable"] = bool(out["not_applicable"])
    return out


def is_blank(values: dict) -> bool:
    """Nothing said at all: no value, no evidence, not marked as not applicable."""
    return normalise(values) == normalise(EMPTY)


def has_begun(values: dict) -> bool:
    """Something typed or chosen (ticking "does not apply" alone is not an answer begun)."""
    return any(
        values.get(k) is not None and values.get(k) != "" and values.get(k) != []
        for k in Answer.VALUE_FIELDS
        if k != "not_applicable"
    )


# The answer itself, without its evidence or whether it applies.
ANSWER_FIELDS = tuple(
    f
    for f in Answer.VALUE_FIELDS
    if f not in ("evidence", "not_applicable", "not_applicable_reason")
)


def has_value(values: dict) -> bool:
    """Some answer given (a choice, a figure, a date or text), whether or not it applies."""
    return any(values.get(k) not in (None, "", []) for k in ANSWER_FIELDS)


def drop_unused_reason(values: dict) -> dict:
    """A question that applies keeps no reason. One marked as not applicable keeps the answer
    under it: it scores nothing, and unticking "does not apply" brings it back."""
    return values if values.get("not_applicable") else values | {"not_applicable_reason": ""}


def problems(
    question: Question, values: dict, *, nation: str, today: date, options: list | None = None
) -> list[Problem]:
    """Every rule ``values`` break for ``question`` in a partnership of ``nation``.

    ``options`` are the question's options (their ids are what ``selected`` holds); give them
    to avoid a query per question.
    """
    code, kind = question.code, question.kind
    out: list[Problem] = []
    if values.get("not_applicable"):
        if not question.may_be_not_applicable_in(nation):
            out.append(
                Problem(
                    "not_applicable",
                    f"{code}: this question must be answered in {Nation(nation).label}, so it cannot be marked as not applicable",
                )
            )
        if not (values.get("not_applicable_reason") or "").strip():
            out.append(Problem("not_applicable_reason", f"{code}: enter why it does not apply"))
    allowed = FIELDS_OF_KIND[kind]
    for name in ("selected", "numerator", "denominator", "number", "date_value", "text"):
        if name not in allowed and values.get(name) not in (None, "", []):
            out.append(Problem(name, f"{code}: {_kind_phrase(kind)} takes no {name}"))
    for name in ("period_start", "period_end"):
        if name not in allowed and values.get(name) is not None:
            out.append(Problem(name, f"{code}: {_kind_phrase(kind)} takes no period"))

    if kind in CHOICE_KINDS:
        selected = values.get("selected") or []
        shown = options_of(question, options)
        ids = {o.pk for o in shown}
        exclusive = [o for o in shown if o.excludes_others]
        if any(pk not in ids for pk in selected):
            out.append(Problem("selected", f"{code}: select one of the answers shown"))
        elif kind != Kind.MULTIPLE and len(selected) > 1:
            out.append(Problem("selected", f"{code}: select only one answer"))
        elif kind == Kind.MULTIPLE and len(selected) > 1:
            for option in exclusive:  # "None of these" with something ticked as well
                if option.pk in selected:
                    out.append(
                        Problem(
                            "selected", f'{code}: select "{option.label}" on its own, or untick it'
                        )
                    )

    for name in ("numerator", "denominator", "number"):
        value = values.get(name)
        if name in allowed and value is not None and not 0 <= value <= MAX_NUMBER:
            out.append(
                Problem(
                    name, f"{code}: {_number_label(question, name)} must be from 0 to 10,000,000"
                )
            )
    if kind == Kind.INDICATOR and not any(p.field in ("numerator", "denominator") for p in out):
        numerator, denominator = values.get("numerator"), values.get("denominator")
        labels = question.indicator or {"numerator": "The numerator", "denominator": "The total"}
        if numerator is not None and denominator is not None:
            if denominator == 0:
                out.append(
                    Problem("denominator", f"{code}: {labels['denominator']} must be more than 0")
                )
            elif numerator > denominator:
                out.append(
                    Problem(
                        "numerator",
                        f"{code}: {labels['numerator']} cannot be more than {labels['denominator'].lower()}",
                    )
                )
        elif (numerator is None) != (denominator is None):
            missing = "numerator" if numerator is None else "denominator"
            out.append(Problem(missing, f"{code}: enter {labels[missing].lower()}"))

    for name, label in DATE_LABELS.items():
        value = values.get(name)
        if name not in allowed or value is None:
            continue
        if value > today:
            out.append(Problem(name, f"{code}: {label} must be today or in the past"))
        elif value < EARLIEST:
            out.append(Problem(name, f"{code}: {label} must be after 1 January 1990"))
    start, end = values.get("period_start"), values.get("period_end")
    if "period_start" in allowed and start and end and end < start:
        out.append(
            Problem(
                "period_end",
                f"{code}: the end of the period must be the same as or after the start",
            )
        )

    for name, (label, limit) in TEXT_LIMITS.items():
        if len(values.get(name) or "") > limit:
            out.append(Problem(name, f"{code}: {label} must be {limit:,} characters or fewer"))
    return out


def missing(question: Question, values: dict) -> list[Problem]:
    """What a begun answer still lacks to be complete: its value and its evidence."""
    code, kind = question.code, question.kind
    out: list[Problem] = []
    if values.get("not_applicable"):
        return out
    if kind in CHOICE_KINDS and not values.get("selected"):
        word = "at least one answer" if kind == Kind.MULTIPLE else "an answer"
        out.append(Problem("selected", f"{code}: select {word}"))
    elif kind == Kind.INDICATOR and values.get("numerator") is None:
        numerator = question.indicator["numerator"] if question.indicator else "the numerator"
        out.append(Problem("numerator", f"{code}: enter {numerator.lower()}"))
    elif kind == Kind.COUNT and values.get("number") is None:
        out.append(Problem("number", f"{code}: enter the number"))
    elif kind == Kind.DATE and values.get("date_value") is None:
        out.append(Problem("date_value", f"{code}: enter the date"))
    elif kind == Kind.TEXT and not (values.get("text") or "").strip():
        out.append(Problem("text", f"{code}: enter your answer"))
    if not (values.get("evidence") or "").strip():
        out.append(Problem("evidence", f"{code}: enter how you know your answer"))
    return out


def options_of(question: Question, options: list | None) -> list:
    return options if options is not None else list(question.options.all())


def _kind_phrase(kind: str) -> str:
    phrases: dict[str, str] = {
        Kind.SINGLE: "a single-choice question",
        Kind.YES_NO: "a yes or no question",
        Kind.MULTIPLE: "a multiple-choice question",
        Kind.INDICATOR: "an indicator question",
        Kind.COUNT: "a count question",
        Kind.DATE: "a date question",
        Kind.TEXT: "a text question",
    }
    return phrases[kind]


def _number_label(question: Question, name: str) -> str:
    if name == "number":
        return "The number"
    return (question.indicator or {}).get(name) or name.title()


def period_problems(start: date | None, end: date | None, *, today: date) -> list[Problem]:
    """The period a self-assessment covers: real years, and an end after the start."""
    latest = date(today.year + 2, 12, 31)
    out = []
    for name, value in (("period_start", start), ("period_end", end)):
        if value is None:
            continue
        if value < EARLIEST:
            out.append(Problem(name, f"{_PERIOD[name]} must be after 1 January 1990"))
        elif value > latest:
            out.append(Problem(name, f"{_PERIOD[name]} must be no later than {latest:%-d %B %Y}"))
    if start and end and end <= start:
        out.append(Problem("period_end", "The end of the period must be after the start"))
    return out


_PERIOD = {"period_start": "The start of the period", "period_end": "The end of the period"}
