"""Every problem in a parsed question bank file, each with its location.

``validate`` lists every problem at once, each naming the file, the question (or theme, option,
benchmark …) and the field, so an author can fix a file in one pass.
The format is documented in docs/framework-format.md.
"""

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from assessment.models import Agency, Kind, Nation
from assessment.models.framework import BANDED_KINDS, CHOICE_KINDS, DEFAULT_POINTS, LEVELS


class FrameworkError(Exception):
    """A question bank file that cannot be loaded; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


TOP_FIELDS = {
    "slug",
    "version",
    "title",
    "source",
    "source_url",
    "published",
    "sections",
    "themes",
    "practice_examples",
    "glossary",
}
THEME_FIELDS = {"code", "title", "report_part", "summary", "questions"}
QUESTION_FIELDS = {
    "code",
    "text",
    "guidance",
    "kind",
    "weight",
    "required",
    "critical",
    "agencies",
    "nations",
    "references",
    "options",
    "indicator",
    "bands",
    "benchmarks",
}
OPTION_FIELDS = {"label", "level", "points", "descriptor", "references"}
BENCHMARK_FIELDS = {
    "area",
    "value",
    "qualifier",
    "unit",
    "denominator",
    "period",
    "direction",
    "note",
    "reference",
}
EXAMPLE_FIELDS = {"area", "kind", "theme", "summary", "reference", "questions"}
GLOSSARY_FIELDS = {"term", "definition", "references"}
BAND_FIELDS = {"direction", "good", "established", "developing"}
INDICATOR_FIELDS = {"numerator", "denominator", "unit"}
CASE_STUDY_AREAS = {"Durham", "Swansea", "Warwickshire", "St Helens", "Tower Hamlets", "Bristol"}
EXAMPLE_AREAS = CASE_STUDY_AREAS | {"National"}
MAX_TEXT = 4000


class _Checker:
    """Collects problems while walking the file."""

    def __init__(self, source: str):
        self.source = source
        self.problems: list[str] = []
        self.ranges: dict[str, tuple[int, int]] = {}

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{self.source}: {where}: {message}")

    def fields(self, where: str, item: Any, allowed: set[str], required: set[str]) -> bool:
        if not isinstance(item, dict):
            self.problem(where, f"must be a mapping of fields, not {type(item).__name__}")
            return False
        for key in sorted(set(item) - allowed):
            self.problem(where, f"unknown field '{key}'")
        for key in sorted(required - set(item)):
            self.problem(where, f"field '{key}' is missing")
        return True

    def text(
        self, where: str, item: dict, key: str, required: bool = True, limit: int = MAX_TEXT
    ) -> None:
        value = item.get(key)
        if value is None:
            if required and key in item:
                self.problem(where, f"field '{key}' is empty")
            return
        if not isinstance(value, str) or (required and not value.strip()):
            self.problem(where, f"field '{key}' must be text")
        elif len(value) > limit:
            self.problem(where, f"field '{key}' is longer than {limit} characters")

    def reference(self, where: str, ref: Any) -> None:
        if not isinstance(ref, dict) or set(ref) != {"section", "paragraph"}:
            self.problem(where, f"a reference must be {{section, paragraph}}, not {ref!r}")
            return
        section, paragraph = ref["section"], ref["paragraph"]
        if section not in self.ranges:
            self.problem(where, f"section {section!r} is not listed under 'sections'")
            return
        first, last = self.ranges[section]
        if (
            not isinstance(paragraph, int)
            or isinstance(paragraph, bool)
            or not first <= paragraph <= last
        ):
            self.problem(
                where, f"paragraph {paragraph!r} is outside {section} (paragraphs {first}-{last})"
            )

    def references(
        self, where: str, item: dict, key: str = "references", required: bool = True
    ) -> None:
        refs = item.get(key)
        if not refs:
            if required:
                self.problem(where, f"field '{key}' needs at least one reference")
            return
        if not isinstance(refs, list):
            self.problem(where, f"field '{key}' must be a list")
            return
        for ref in refs:
            self.reference(f"{where}: {key}", ref)


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _is_date(value: Any) -> bool:
    if isinstance(value, date):
        return True
    try:
        date.fromisoformat(str(value))
    except ValueError:
        return False
    return True


def validate(data: Any, source: str = "<framework>") -> list[str]:
    """Every problem in a parsed question bank file, or an empty list."""
    check = _Checker(source)
    if not check.fields("framework", data, TOP_FIELDS, TOP_FIELDS - {"source_url", "published"}):
        return check.problems
    if not isinstance(data.get("slug"), str) or not re.fullmatch(
        r"[a-z0-9]+(-[a-z0-9]+)*", data["slug"]
    ):
        check.problem("framework", "field 'slug' must be lower-case letters, digits and hyphens")
    if not isinstance(data.get("version"), str) or not re.fullmatch(
        r"[0-9A-Za-z.\-]{1,20}", data["version"]
    ):
        check.problem("framework", "field 'version' must be a quoted string such as \"2022.1\"")
    for key in ("title", "source"):
        check.text("framework", data, key)
    if data.get("published") is not None and not _is_date(data["published"]):
        check.problem("framework", "field 'published' must be a date (YYYY-MM-DD)")

    for i, section in enumerate(data.get("sections") or []):
        where = f"sections[{i + 1}]"
        if check.fields(
            where, section, {"section", "first", "last", "title"}, {"section", "first", "last"}
        ):
            first, last = section.get("first"), section.get("last")
            if not (isinstance(first, int) and isinstance(last, int) and 0 < first <= last):
                check.problem(
                    where, "'first' and 'last' must be paragraph numbers with first <= last"
                )
            elif section["section"] in check.ranges:
                check.problem(where, f"section {section['section']!r} is listed twice")
            else:
                check.ranges[section["section"]] = (first, last)

    themes = data.get("themes") or []
    if not isinstance(themes, list) or not themes:
        check.problem("framework", "field 'themes' needs at least one theme")
        themes = []
    theme_codes: set[str] = set()
    question_codes: set[str] = set()
    for t, theme in enumerate(themes):
        where = f"theme {theme.get('code', t + 1) if isinstance(theme, dict) else t + 1}"
        if not check.fields(where, theme, THEME_FIELDS, THEME_FIELDS):
            continue
        code = theme["code"]
        if not isinstance(code, str) or not re.fullmatch(r"[A-Z]{2,4}", code):
            check.problem(where, "field 'code' must be 2-4 capital letters")
        elif code in theme_codes:
            check.problem(where, f"theme code {code} is used twice")
        theme_codes.add(str(code))
        for key in ("title", "summary", "report_part"):
            check.text(where, theme, key)
        questions = theme.get("questions") or []
        if not isinstance(questions, list) or not questions:
            check.problem(where, "field 'questions' needs at least one question")
            continue
        for q, question in enumerate(questions):
            _validate_question(check, question, str(code), q, question_codes)

    for e, example in enumerate(data.get("practice_examples") or []):
        where = f"practice example {e + 1}"
        if not check.fields(where, example, EXAMPLE_FIELDS, EXAMPLE_FIELDS):
            continue
        if example["area"] not in EXAMPLE_AREAS:
            check.problem(
                where,
                f"field 'area' must be a case study area or National, not {example['area']!r}",
            )
        if example["kind"] not in ("good", "poor"):
            check.problem(where, f"field 'kind' must be good or poor, not {example['kind']!r}")
        if example["theme"] not in theme_codes:
            check.problem(where, f"field 'theme' names an unknown theme {example['theme']!r}")
        check.text(where, example, "summary")
        check.reference(where, example["reference"])
        linked = example["questions"]
        if not isinstance(linked, list) or not linked:
            check.problem(where, "field 'questions' must list at least one question code")
        else:
            for code in linked:
                if code not in question_codes:
                    check.problem(where, f"field 'questions' names an unknown question {code!r}")

    terms: set[str] = set()
    for g, entry in enumerate(data.get("glossary") or []):
        where = f"glossary {entry.get('term', g + 1) if isinstance(entry, dict) else g + 1}"
        if not check.fields(where, entry, GLOSSARY_FIELDS, GLOSSARY_FIELDS):
            continue
        check.text(where, entry, "term")
        check.text(where, entry, "definition")
        if str(entry["term"]).lower() in terms:
            check.problem(where, "this term is defined twice")
        terms.add(str(entry["term"]).lower())
        check.references(where, entry)
    return check.problems


def _validate_question(
    check: _Checker, question: Any, theme: str, index: int, seen: set[str]
) -> None:
    code = question.get("code") if isinstance(question, dict) else None
    where = f"question {code or f'{theme} #{index + 1}'}"
    required = {"code", "text", "guidance", "kind", "agencies", "nations", "references"}
    if not check.fields(where, question, QUESTION_FIELDS, required):
        return
    if not isinstance(code, str) or not re.fullmatch(rf"{re.escape(theme)}-\d{{2}}", code):
        check.problem(where, f"field 'code' must be {theme}-NN (two digits), not {code!r}")
    elif code in seen:
        check.problem(where, f"question code {code} is used twice")
    seen.add(str(code))
    check.text(where, question, "text", limit=500)
    check.text(where, question, "guidance")
    kind = question["kind"]
    if kind not in Kind.values:
        check.problem(where, f"field 'kind' must be one of {', '.join(Kind.values)}, not {kind!r}")
        return
    weight = question.get("weight", 1)
    if not isinstance(weight, int) or isinstance(weight, bool) or weight <= 0:
        check.problem(
            where, f"field 'weight' must be a whole number greater than 0, not {weight!r}"
        )
    for flag in ("required", "critical"):
        if flag in question and not isinstance(question[flag], bool):
            check.problem(where, f"field '{flag}' must be true or false")
    for key, allowed in (("agencies", Agency.values), ("nations", Nation.values)):
        values = question[key]
        if not isinstance(values, list) or not values:
            check.problem(where, f"field '{key}' must list at least one of {', '.join(allowed)}")
            continue
        for value in values:
            if value not in allowed:
                check.problem(where, f"field '{key}' has unknown value {value!r}")
        if len(set(map(str, values))) != len(values):
            check.problem(where, f"field '{key}' repeats a value")
    check.references(where, question)

    options = question.get("options")
    if kind in CHOICE_KINDS:
        _validate_options(check, where, kind, options)
    elif options:
        check.problem(where, f"field 'options' is only for choice questions, not {kind}")

    if question.get("critical") and kind not in (Kind.SINGLE, Kind.YES_NO):
        check.problem(where, "a critical question must be single choice or yes/no")
    elif (
        question.get("critical")
        and isinstance(options, list)
        and not any(isinstance(o, dict) and o.get("level") == "poor" for o in options)
    ):
        check.problem(
            where, "a critical question needs a 'poor' option (the unacceptable practice)"
        )

    bands = question.get("bands")
    if kind in (Kind.MULTIPLE, Kind.INDICATOR) and bands is None:
        check.problem(where, f"field 'bands' is required for {kind} questions")
    if bands is not None:
        if kind not in BANDED_KINDS:
            check.problem(where, f"field 'bands' is not used by {kind} questions")
        else:
            _validate_bands(check, where, bands)

    indicator = question.get("indicator")
    if kind == Kind.INDICATOR:
        if check.fields(f"{where}: indicator", indicator, INDICATOR_FIELDS, INDICATOR_FIELDS):
            for key in INDICATOR_FIELDS:
                check.text(f"{where}: indicator", indicator, key, limit=300)
    elif indicator is not None:
        check.problem(where, "field 'indicator' is only for indicator questions")

    benchmarks = question.get("benchmarks") or []
    if benchmarks and kind not in (Kind.INDICATOR, Kind.COUNT):
        check.problem(where, "field 'benchmarks' is only for indicator and count questions")
    direction = bands.get("direction") if isinstance(bands, dict) else None
    for b, benchmark in enumerate(benchmarks):
        _validate_benchmark(check, f"{where}: benchmark {b + 1}", benchmark, direction)


def _validate_options(check: _Checker, where: str, kind: str, options: Any) -> None:
    if not isinstance(options, list) or len(options) < 2:
        check.problem(where, f"field 'options' needs at least two options for {kind} questions")
        return
    levels = []
    for o, option in enumerate(options):
        at = f"{where}: option {o + 1}"
        if not check.fields(
            at, option, OPTION_FIELDS, {"label", "level", "descriptor", "references"}
        ):
            continue
        check.text(at, option, "label", limit=500)
        check.text(at, option, "descriptor")
        if option["level"] not in LEVELS:
            check.problem(
                at, f"field 'level' must be one of {', '.join(LEVELS)}, not {option['level']!r}"
            )
        levels.append(option["level"])
        points = option.get("points", DEFAULT_POINTS.get(option["level"], 0))
        if not isinstance(points, int) or isinstance(points, bool) or not 0 <= points <= 10:
            check.problem(at, f"field 'points' must be a whole number from 0 to 10, not {points!r}")
        elif (
            kind != Kind.MULTIPLE
            and option["level"] in DEFAULT_POINTS
            and points != DEFAULT_POINTS[option["level"]]
        ):
            # On the ladder, points follow the level; only multiple choice weighs practices itself.
            expected = DEFAULT_POINTS[option["level"]]
            check.problem(at, f"field 'points' must be {expected} for level {option['level']}")
        check.references(at, option)
    if kind == Kind.SINGLE:
        for level in LEVELS:
            if levels.count(level) > 1:
                check.problem(where, f"option level '{level}' is repeated")
            elif level not in levels:
                check.problem(
                    where, f"option level '{level}' is missing (single choice needs all four)"
                )
    if kind == Kind.YES_NO:
        labels = [o.get("label") for o in options if isinstance(o, dict)]
        if labels != ["Yes", "No"]:
            check.problem(
                where, f"yes/no options must be labelled Yes and No in that order, not {labels}"
            )


def _validate_bands(check: _Checker, where: str, bands: Any) -> None:
    if not check.fields(f"{where}: bands", bands, BAND_FIELDS, BAND_FIELDS):
        return
    direction = bands["direction"]
    if direction not in ("lower", "higher"):
        check.problem(
            f"{where}: bands", f"field 'direction' must be lower or higher, not {direction!r}"
        )
        return
    values = [_number(bands[key]) for key in ("good", "established", "developing")]
    if any(v is None for v in values):
        check.problem(
            f"{where}: bands", "thresholds good, established and developing must be numbers"
        )
        return
    ordered = (
        values == sorted(values) if direction == "lower" else values == sorted(values, reverse=True)
    )
    if not ordered or len(set(values)) != 3:
        order = "increasing" if direction == "lower" else "decreasing"
        check.problem(
            f"{where}: bands", f"thresholds must be strictly {order} from good to developing"
        )


def _validate_benchmark(check: _Checker, where: str, benchmark: Any, direction: str | None) -> None:
    required = {"area", "value", "unit", "direction"}  # a missing reference gets its own message
    if not check.fields(where, benchmark, BENCHMARK_FIELDS, required):
        return
    if benchmark["area"] not in CASE_STUDY_AREAS:
        check.problem(
            where,
            f"field 'area' must be one of the six case study areas, not {benchmark['area']!r}",
        )
    if _number(benchmark["value"]) is None:
        check.problem(where, f"field 'value' must be a number, not {benchmark['value']!r}")
    denominator = benchmark.get("denominator")
    if denominator is not None and (not isinstance(denominator, int) or denominator <= 0):
        check.problem(
            where, f"field 'denominator' must be a positive whole number, not {denominator!r}"
        )
    if benchmark["direction"] not in ("lower", "higher"):
        check.problem(
            where, f"field 'direction' must be lower or higher, not {benchmark['direction']!r}"
        )
    elif direction and benchmark["direction"] != direction:
        check.problem(
            where,
            f"field 'direction' ({benchmark['direction']}) contradicts the bands ({direction})",
        )
    if not benchmark.get("reference"):
        check.problem(where, "field 'reference' is missing: every figure must cite the report")
    else:
        check.reference(where, benchmark["reference"])
