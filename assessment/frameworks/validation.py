"""Every problem in a parsed question bank file, each with its location.

``validate`` lists every problem at once, each naming the file, the question (or theme, option,
benchmark …) and the field, so an author can fix a file in one pass.
The format is documented in docs/framework-format.md.
"""

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from assessment.frameworks.prose import named_paragraphs
from assessment.models import Agency, Benchmark, EvidenceKind, Kind, Nation
from assessment.models.framework import BANDED_KINDS, CHOICE_KINDS, DEFAULT_POINTS, LEVELS


class FrameworkError(Exception):
    """A question bank file that cannot be loaded; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


TOP_FIELDS = {
    "format",
    "evidence_months",
    "previous",
    "documents",
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
    "tolerance",
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
    "critical_because",
    "not_applicable",
    "carry",
    "agencies",
    "nations",
    "references",
    "options",
    "indicator",
    "bands",
    "benchmarks",
    "evidence",
}
EVIDENCE_FIELDS = {"kinds", "within_months", "text"}
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
    "scope",
    "base",
    "comparable",
    "reference",
}
EXAMPLE_FIELDS = {"area", "kind", "theme", "summary", "reference", "questions"}
GLOSSARY_FIELDS = {"term", "definition", "references"}
BAND_FIELDS = {"direction", "good", "established", "developing", "basis"}
INDICATOR_FIELDS = {"numerator", "denominator", "unit", "per"}
DOCUMENT_FIELDS = {"id", "title", "short_title", "publisher", "date", "url"}
CRITICAL_BASES = ("unacceptable", "victims_as_offenders", "statutory_duty")
CARRY_MODES = ("same", "map", "none")
SCOPES = [scope for scope, _ in Benchmark._meta.get_field("scope").choices or ()]
PER = (100, 1000, 10000)
# Format 1 is the 2022.1 file as published (it must keep loading unchanged); format 2 adds the
# rules of issue 13: a reason for every critical flag, benchmark scope and comparability, a basis
# for every threshold, and prose that names only paragraphs the item cites.
FORMATS = (1, 2)
CASE_STUDY_AREAS = {"Durham", "Swansea", "Warwickshire", "St Helens", "Tower Hamlets", "Bristol"}
EXAMPLE_AREAS = CASE_STUDY_AREAS | {"National"}
MAX_TEXT = 4000


class _Checker:
    """Collects problems while walking the file."""

    def __init__(self, source: str):
        self.source = source
        self.problems: list[str] = []
        self.ranges: dict[str, tuple[int, int]] = {}
        self.documents: set[str] = set()
        self.format = 1

    @property
    def strict(self) -> bool:
        return self.format >= 2

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
        if isinstance(ref, dict) and "document" in ref:
            # "title" is filled in at load from the document's short title; an export carries it.
            if not {"document", "part"} <= set(ref) <= {"document", "part", "title"}:
                self.problem(where, f"a document reference must be {{document, part}}, not {ref!r}")
            elif ref["document"] not in self.documents:
                self.problem(where, f"document {ref['document']!r} is not listed under 'documents'")
            elif not isinstance(ref["part"], str) or not ref["part"].strip():
                self.problem(where, "a document reference needs the part cited, as text")
            return
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

    def prose(self, where: str, item: dict, keys: tuple[str, ...], cited: Any) -> None:
        """From format 2: a paragraph named in the prose must be among the item's references, so
        a reader can follow every citation and the sources page lists it."""
        if not self.strict:
            return
        refs = cited if isinstance(cited, list) else [cited]
        listed = {
            (r["section"], r["paragraph"]) for r in refs if isinstance(r, dict) and "section" in r
        }
        for key in keys:
            value = item.get(key)
            if not isinstance(value, str):
                continue
            named, unplaced = named_paragraphs(value)
            for mention in unplaced:
                self.problem(where, f"field '{key}' names '{mention}' without its section")
            missing = sorted(named - listed, key=lambda ref: (ref[0], ref[1]))
            if missing:
                names = ", ".join(f"{section} para {paragraph}" for section, paragraph in missing)
                self.problem(
                    where, f"field '{key}' names {names}, which its references do not list"
                )


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


def validate(data: Any, source: str = "<framework>", previous: dict | None = None) -> list[str]:
    """Every problem in a parsed question bank file, or an empty list.

    ``previous`` is the parsed file of the version this one follows (named under ``previous``),
    against which each question's ``carry`` is checked; without it only its shape is.
    """
    check = _Checker(source)
    optional = {
        "source_url",
        "published",
        "format",
        "previous",
        "documents",
        "tolerance",
        "evidence_months",
    }
    if not check.fields("framework", data, TOP_FIELDS, TOP_FIELDS - optional):
        return check.problems
    check.format = data.get("format", 1)
    if check.format not in FORMATS:
        check.problem("framework", f"field 'format' must be 1 or 2, not {check.format!r}")
        check.format = max(FORMATS)
    _validate_documents(check, data.get("documents"))
    _validate_tolerance(check, data)
    if "evidence_months" in data:
        _validate_months(check, "framework", "evidence_months", data["evidence_months"])
    if data.get("previous") is not None:
        check.fields(
            "framework: previous", data["previous"], {"version", "file"}, {"version", "file"}
        )
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
        # A theme has no references of its own: its summary may name what its questions cite.
        check.prose(
            where,
            theme,
            ("summary",),
            [r for q in questions if isinstance(q, dict) for r in q.get("references") or []],
        )

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
        check.prose(where, example, ("summary",), example["reference"])
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
        check.prose(where, entry, ("definition",), entry["references"])
    if previous is not None:
        _validate_carry_against(check, data, previous)
    return check.problems


def _validate_tolerance(check: _Checker, data: dict) -> None:
    """From format 2: how far apart agencies' figures may be before the moderation page
    highlights them, as a whole percentage of the larger figure (10 when not given)."""
    if "tolerance" not in data:
        return
    tolerance = data["tolerance"]
    if not check.strict:
        check.problem("framework", "field 'tolerance' needs format 2")
    elif isinstance(tolerance, bool) or not isinstance(tolerance, int) or not 0 <= tolerance <= 100:
        check.problem(
            "framework",
            f"field 'tolerance' must be a whole percentage from 0 to 100, not {tolerance!r}",
        )


def _validate_documents(check: _Checker, documents: Any) -> None:
    if documents is None:
        return
    if not isinstance(documents, list):
        check.problem("framework", "field 'documents' must be a list")
        return
    for d, document in enumerate(documents):
        where = f"document {document.get('id', d + 1) if isinstance(document, dict) else d + 1}"
        if not check.fields(where, document, DOCUMENT_FIELDS, DOCUMENT_FIELDS - {"url"}):
            continue
        ident = document["id"]
        if not isinstance(ident, str) or not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", ident):
            check.problem(where, "field 'id' must be lower-case letters, digits and hyphens")
        elif ident in check.documents:
            check.problem(where, f"document id {ident} is used twice")
        check.documents.add(str(ident))
        for key in ("title", "short_title", "publisher"):
            check.text(where, document, key, limit=300)
        if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", str(document["date"])):
            check.problem(where, "field 'date' must be YYYY, YYYY-MM or YYYY-MM-DD")
        url = document.get("url")
        if url is not None and not (isinstance(url, str) and url.startswith("https://")):
            check.problem(where, "field 'url' must be an https:// address")


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
    if "required" in question and not isinstance(question["required"], bool):
        check.problem(where, "field 'required' must be true or false")
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
    check.prose(where, question, ("text", "guidance"), question["references"])

    options = question.get("options")
    if kind in CHOICE_KINDS:
        _validate_options(check, where, kind, options)
    elif options:
        check.problem(where, f"field 'options' is only for choice questions, not {kind}")
    _validate_critical(check, where, question)
    if question.get("carry") is not None:
        _validate_carry(check, where, question["carry"], options)

    if "evidence" in question:
        _validate_evidence(check, where, question["evidence"])

    bands = question.get("bands")
    # From format 2 an indicator may be context only: recorded and shown, never scored.
    banded = (Kind.MULTIPLE,) if check.strict else (Kind.MULTIPLE, Kind.INDICATOR)
    if kind in banded and bands is None:
        check.problem(where, f"field 'bands' is required for {kind} questions")
    if bands is not None:
        if kind not in BANDED_KINDS:
            check.problem(where, f"field 'bands' is not used by {kind} questions")
        else:
            _validate_bands(check, where, bands, question["references"])

    indicator = question.get("indicator")
    if kind == Kind.INDICATOR:
        required = INDICATOR_FIELDS - {"per"}
        if check.fields(f"{where}: indicator", indicator, INDICATOR_FIELDS, required):
            for key in sorted(required):
                check.text(f"{where}: indicator", indicator, key, limit=300)
            per = indicator.get("per", 100)
            if per not in PER or isinstance(per, bool):
                check.problem(
                    f"{where}: indicator",
                    f"field 'per' must be 100 (a percentage), 1000 or 10000, not {per!r}",
                )
    elif indicator is not None:
        check.problem(where, "field 'indicator' is only for indicator questions")

    benchmarks = question.get("benchmarks") or []
    if benchmarks and kind not in (Kind.INDICATOR, Kind.COUNT):
        check.problem(where, "field 'benchmarks' is only for indicator and count questions")
    direction = bands.get("direction") if isinstance(bands, dict) else None
    for b, benchmark in enumerate(benchmarks):
        _validate_benchmark(
            check, f"{where}: benchmark {b + 1}", benchmark, direction, scored=bands is not None
        )


def _validate_months(check: _Checker, where: str, key: str, value: Any) -> None:
    if not check.strict:
        check.problem(where, f"field '{key}' needs format 2")
    elif not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 120:
        check.problem(
            where, f"field '{key}' must be a number of months from 1 to 120, not {value!r}"
        )


def _validate_evidence(check: _Checker, where: str, evidence: Any) -> None:
    """From format 2: the evidence a question expects, {kinds, text, within_months}."""
    if not check.strict:
        check.problem(where, "field 'evidence' needs format 2")
        return
    inner = f"{where}: evidence"
    if not check.fields(inner, evidence, EVIDENCE_FIELDS, {"kinds", "text"}):
        return
    kinds = evidence["kinds"]
    if not isinstance(kinds, list) or not kinds:
        check.problem(
            inner, f"field 'kinds' must list at least one of {', '.join(EvidenceKind.values)}"
        )
    else:
        for kind in kinds:
            if kind not in EvidenceKind.values:
                check.problem(
                    inner,
                    f"field 'kinds' has unknown kind {kind!r} (one of {', '.join(EvidenceKind.values)})",
                )
    check.text(inner, evidence, "text", limit=300)
    if "within_months" in evidence:
        _validate_months(check, inner, "within_months", evidence["within_months"])


def critical_nations(question: dict) -> list:
    """The nations a question is critical in: ``critical: true`` means all its nations."""
    critical = question.get("critical", False)
    if critical is True:
        return list(question.get("nations") or [])
    return list(critical) if isinstance(critical, list) else []


def _validate_critical(check: _Checker, where: str, question: dict) -> None:
    critical = question.get("critical", False)
    listed = question.get("nations")
    nations: list = listed if isinstance(listed, list) else []
    if isinstance(critical, list):
        if not critical or any(nation not in nations for nation in critical):
            check.problem(
                where,
                f"field 'critical' must be true, false or a list of the question's nations "
                f"({', '.join(map(str, nations))}), not {critical!r}",
            )
            return
    elif not isinstance(critical, bool):
        check.problem(where, "field 'critical' must be true, false or a list of nations")
        return
    critical_in = critical_nations(question)
    because = question.get("critical_because")
    if not critical_in:
        for key in ("critical_because", "not_applicable"):
            if question.get(key) is not None:
                check.problem(where, f"field '{key}' is only for critical questions")
        return
    if question["kind"] not in (Kind.SINGLE, Kind.YES_NO):
        check.problem(where, "a critical question must be single choice or yes/no")
    elif isinstance(question.get("options"), list) and not any(
        isinstance(o, dict) and o.get("level") == "poor" for o in question["options"]
    ):
        check.problem(
            where, "a critical question needs a 'poor' option (the unacceptable practice)"
        )
    at = f"{where}: critical_because"
    if because is None:
        if check.strict:
            check.problem(
                where,
                "field 'critical_because' is missing: a critical question must say which rule "
                "makes it critical (unacceptable, victims_as_offenders or statutory_duty), why, "
                "and cite it",
            )
    elif check.fields(
        at, because, {"basis", "text", "references"}, {"basis", "text", "references"}
    ):
        if because["basis"] not in CRITICAL_BASES:
            check.problem(
                at,
                f"field 'basis' must be one of {', '.join(CRITICAL_BASES)}, not {because['basis']!r}",
            )
        check.text(at, because, "text")
        check.references(at, because)
        check.prose(at, because, ("text",), because["references"])
    not_applicable = question.get("not_applicable")
    if not_applicable is None:
        return
    if not isinstance(not_applicable, list) or not not_applicable:
        check.problem(where, "field 'not_applicable' must list nations (or be left out)")
        return
    for nation in not_applicable:
        if nation not in critical_in:
            check.problem(
                where,
                f"field 'not_applicable' names {nation!r}, where the question is not critical "
                "(a question that is not critical may be not applicable anyway)",
            )


def _option_count(options: Any) -> int:
    return len(options) if isinstance(options, list) else 0


def _validate_carry(check: _Checker, where: str, carry: Any, options: Any) -> None:
    """The shape of ``carry``; ``_validate_carry_against`` checks it against the previous file."""
    at = f"{where}: carry"
    if not check.fields(at, carry, {"mode", "from", "options"}, {"mode"}):
        return
    mode = carry["mode"]
    if mode not in CARRY_MODES:
        check.problem(at, f"field 'mode' must be one of {', '.join(CARRY_MODES)}, not {mode!r}")
        return
    source = carry.get("from")
    if source is not None and (
        not isinstance(source, str) or not re.fullmatch(r"[A-Z]{2,4}-\d{2}", source)
    ):
        check.problem(at, f"field 'from' must be a question code such as PP-01, not {source!r}")
    mapping = carry.get("options")
    if mode != "map":
        if mapping is not None:
            check.problem(at, "field 'options' is only for mode map")
        return
    count = _option_count(options)
    if not count:
        check.problem(at, "mode map is only for choice questions (it maps old options to new)")
        return
    if not isinstance(mapping, dict) or not mapping:
        check.problem(at, "mode map needs 'options': {old position: new position}")
        return
    for old, new in mapping.items():
        if not str(old).isdigit() or int(old) < 1:
            check.problem(at, f"old option position {old!r} must be a whole number from 1")
        if not isinstance(new, int) or isinstance(new, bool) or not 1 <= new <= count:
            check.problem(
                at, f"new option position {new!r} (for old {old}) must be from 1 to {count}"
            )


def _validate_carry_against(check: _Checker, data: dict, previous: dict) -> None:
    """Each question's carry checked against the questions of the version it follows: the old
    code exists, old positions are in range, and "same" really keeps the kind and options."""
    before = {
        q["code"]: q
        for theme in previous.get("themes") or []
        for q in theme.get("questions") or []
        if isinstance(q, dict) and "code" in q
    }
    for theme in data.get("themes") or []:
        for question in theme.get("questions") or []:
            if not isinstance(question, dict) or not isinstance(question.get("carry") or {}, dict):
                continue
            carry = question.get("carry") or {"mode": "same"}
            where = f"question {question.get('code')}: carry"
            source = carry.get("from", question.get("code"))
            old = before.get(source)
            if carry.get("mode") == "none":
                continue
            if old is None:
                if question.get("carry"):
                    check.problem(where, f"{source} is not a question of the previous version")
                continue
            old_count, new_count = (
                _option_count(old.get("options")),
                _option_count(question.get("options")),
            )
            if carry.get("mode") == "map":
                for position in carry.get("options") or {}:
                    if str(position).isdigit() and not 1 <= int(position) <= old_count:
                        check.problem(
                            where,
                            f"old option position {position} is outside {source}'s "
                            f"{old_count} options",
                        )
                continue
            if old.get("kind") != question.get("kind") or old_count != new_count:
                check.problem(
                    where,
                    f"an answer to {source} ({old.get('kind')}, {old_count} options) cannot carry "
                    f"unchanged into a {question.get('kind')} question with {new_count} options: "
                    "give carry mode map or none",
                )


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
        check.prose(at, option, ("label", "descriptor"), option["references"])
    labels = [o.get("label") for o in options if isinstance(o, dict)]
    if check.strict:
        for label in sorted({str(label) for label in labels if labels.count(label) > 1}):
            check.problem(where, f"two options have the same label {label!r}")
    if kind == Kind.SINGLE:
        for level in LEVELS:
            if levels.count(level) > 1:
                check.problem(where, f"option level '{level}' is repeated")
            elif level not in levels:
                check.problem(
                    where, f"option level '{level}' is missing (single choice needs all four)"
                )
    if kind == Kind.YES_NO and labels != ["Yes", "No"]:
        check.problem(
            where, f"yes/no options must be labelled Yes and No in that order, not {labels}"
        )


def _validate_bands(check: _Checker, where: str, bands: Any, cited: list) -> None:
    required = BAND_FIELDS if check.strict else BAND_FIELDS - {"basis"}
    if not check.fields(f"{where}: bands", bands, BAND_FIELDS, required):
        return
    if bands.get("basis") is not None:
        _validate_basis(check, f"{where}: bands: basis", bands["basis"], cited)
    direction = bands["direction"]
    if direction not in ("lower", "higher"):
        check.problem(
            f"{where}: bands", f"field 'direction' must be lower or higher, not {direction!r}"
        )
        return
    numbers = [_number(bands[key]) for key in ("good", "established", "developing")]
    values = [v for v in numbers if v is not None]
    if len(values) != len(numbers):
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


def _validate_basis(check: _Checker, where: str, basis: Any, cited: list) -> None:
    """Where the thresholds come from: the report or a named document (``references``), this
    framework's own reasoning (``set_by_framework``, listed on the methodology page), or both
    when a source sets one threshold and the framework the others."""
    if not isinstance(basis, dict) or not set(basis) & {"references", "set_by_framework"}:
        check.problem(
            where,
            "must be {references: [...]} (the report or a named document) and/or "
            '{set_by_framework: "why these thresholds"}',
        )
        return
    for key in sorted(set(basis) - {"references", "set_by_framework"}):
        check.problem(where, f"unknown field '{key}'")
    refs = list(cited) if isinstance(cited, list) else []
    if "references" in basis:
        check.references(where, basis)
        if isinstance(basis["references"], list):
            refs += basis["references"]
    if "set_by_framework" in basis:
        check.text(where, basis, "set_by_framework")
        check.prose(where, basis, ("set_by_framework",), refs)


def _validate_benchmark(
    check: _Checker, where: str, benchmark: Any, direction: str | None, scored: bool
) -> None:
    # A missing reference gets its own message; from format 2 a figure says what it covers.
    required = {"area", "value", "unit", "direction"}
    if check.strict:
        required |= {"scope", "base", "comparable"}
    if not check.fields(where, benchmark, BENCHMARK_FIELDS, required):
        return
    if benchmark.get("scope") is not None and benchmark["scope"] not in SCOPES:
        check.problem(
            where, f"field 'scope' must be one of {', '.join(SCOPES)}, not {benchmark['scope']!r}"
        )
    check.text(where, benchmark, "base", required=check.strict, limit=200)
    comparable = benchmark.get("comparable")
    if comparable is not None and not isinstance(comparable, bool):
        check.problem(where, "field 'comparable' must be true or false")
    check.prose(where, benchmark, ("note", "base"), benchmark.get("reference") or [])
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
    if check.strict and benchmark["direction"] is None:
        pass  # context only: the figure is shown, never ranked
    elif check.strict and not scored:
        check.problem(
            where,
            "field 'direction' must be null: the question is not scored, so the report gives no "
            "way of saying which value is better",
        )
    elif benchmark["direction"] not in ("lower", "higher"):
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
