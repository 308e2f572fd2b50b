"""The JSON import: an exported self-assessment brought back as a new draft, all or nothing.

Three layers, each reporting every problem it finds, each naming the item and the field:
1. ``parse_json``: bytes to JSON with limits (size, nesting, keys per object, digits per
   number) and a linear check for repeated keys, so a hostile file costs little to refuse.
2. ``FileModel`` (pydantic): the structure and the types of each field.
3. ``plan``: the product's rules: the framework is loaded, codes exist, the answer values keep
   ``answer_rules`` (the same rules the answer form keeps), and the period is real.

Nothing in a file speaks for anyone: every record imported is the importer's, made now. Who
the file said recorded it, and when, is kept as labelled data ("originally recorded by … on …")
in the record's ``original`` field.
"""

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assessment import answer_rules
from assessment.exports.json_export import SCHEMA, SCHEMA_VERSION
from assessment.models import (
    Action,
    ActionNote,
    ActionStatus,
    Agency,
    AgencyThemeSubmission,
    AgencyView,
    Answer,
    AnswerEvidence,
    Assessment,
    Comment,
    Dissent,
    EvidenceItem,
    EvidenceKind,
    Framework,
    Moderation,
    Partnership,
    Priority,
    Question,
    User,
)
from assessment.workflow import refuse_second_open_cycle

MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 8
MAX_ITEMS = 5000  # answers, comments, actions, or notes of one action
MAX_KEYS = 64  # in one object; the format's largest has 20
MAX_DIGITS = 15  # in one number; counts stop at 10,000,000
MAX_PROBLEMS = 200  # listed before giving up: enough to fix a file, never a flood


class ImportProblem(ValueError):
    """A file that cannot be imported; ``problems`` lists every reason found."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


# 1. Bytes to JSON ---------------------------------------------------------------------------


def _object(pairs: list[tuple[str, object]]) -> dict:
    if len(pairs) > MAX_KEYS:
        raise ImportProblem([f"The file has an object with more than {MAX_KEYS} keys"])
    out = dict(pairs)
    if len(out) != len(pairs):  # linear: a set of seen keys, not a count per key
        seen, repeated = set(), []
        for key, _ in pairs:
            if key in seen and key not in repeated:
                repeated.append(key)
            seen.add(key)
        raise ImportProblem(
            [f"The file repeats the key {', '.join(repr(k[:40]) for k in repeated)} in one object"]
        )
    return out


def _number(text: str, convert):
    if len(text) > MAX_DIGITS + 2:  # a sign and a decimal point
        raise ImportProblem(
            [f"The file holds a number with more than {MAX_DIGITS} digits ({text[:20]}…)"]
        )
    return convert(text)


def _constant(name: str):
    raise ImportProblem([f"The file holds {name}, which is not a number"])


def _depth(value, level: int = 0) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max([_depth(v, level + 1) for v in value.values()] or [level + 1])
    if isinstance(value, list):
        return max([_depth(v, level + 1) for v in value] or [level + 1])
    return level


def parse_json(raw: bytes) -> dict:
    if len(raw) > MAX_BYTES:
        raise ImportProblem([f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB"])
    try:
        data = json.loads(
            raw.decode("utf-8-sig"),
            object_pairs_hook=_object,
            parse_int=lambda text: _number(text, int),
            parse_float=lambda text: _number(text, float),
            parse_constant=_constant,
        )
    except UnicodeDecodeError:
        raise ImportProblem(["The file is not UTF-8 text"]) from None
    except RecursionError:
        raise ImportProblem([f"The file is nested more than {MAX_DEPTH} levels deep"]) from None
    except json.JSONDecodeError as error:
        raise ImportProblem(
            [f"The file is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"]
        ) from None
    if not isinstance(data, dict):
        raise ImportProblem(["The file must hold one JSON object"])
    if _depth(data) > MAX_DEPTH:
        raise ImportProblem([f"The file is nested more than {MAX_DEPTH} levels deep"])
    return data


# 2. The structure ---------------------------------------------------------------------------


class _Item(BaseModel):
    # Strict: a number is not text, "3" is not a number, 1 is not true. Fields the format
    # does not read (status, history, snapshot …) are ignored.
    model_config = ConfigDict(strict=True, extra="ignore")


Text = str | None


def _items():
    return Field(default_factory=list, max_length=MAX_ITEMS)


_ItemT = TypeVar("_ItemT", bound=_Item)


class Original(_Item):
    by: Text = None
    at: Text = None


class FrameworkRef(_Item):
    slug: str
    version: str


class AssessmentMeta(_Item):
    title: Text = None
    period_start: Text = None
    period_end: Text = None


class EvidenceRef(_Item):
    id: Text = None
    title: Text = None
    kind: Text = None
    agency: Text = None
    produced: Text = None
    period_start: Text = None
    period_end: Text = None
    review_by: Text = None
    description: Text = None
    sha256: Text = None
    link: Text = None


class AnswerItem(_Item):
    question: str
    selected: list[str] = Field(default_factory=list, max_length=100)
    numerator: int | None = None
    denominator: int | None = None
    number: int | None = None
    date_value: Text = Field(None, alias="date")
    period_start: Text = None
    period_end: Text = None
    text: Text = None
    evidence: Text = None
    not_applicable: bool = False
    not_applicable_reason: Text = None
    needs_reconfirmation: bool = False
    answered_by: Text = None
    updated: Text = None
    agency: Text = None
    originally_recorded: Original | None = None
    evidence_items: list[EvidenceRef] = Field(default_factory=list, max_length=100)


class CommentItem(_Item):
    theme: str
    question: Text = None
    author: Text = None
    text: Text = None
    created: Text = None
    originally_recorded: Original | None = None


class NoteItem(_Item):
    kind: Literal["progress", "comment"]
    author: Text = None
    text: Text = None
    created: Text = None
    originally_recorded: Original | None = None


class ActionItem(_Item):
    description: Text = None
    agency: Text = None
    owner: Text = None
    due: Text = None
    priority: Text = None
    status: Text = None
    dropped_reason: Text = None
    questions: list[str] = Field(default_factory=list, max_length=500)
    notes: list[NoteItem] = _items()
    originally_recorded: Original | None = None


class AssignmentItem(_Item):
    theme: str
    agency: str


class SubmissionItem(_Item):
    theme: str
    agency: str
    submitted_by: Text = None
    submitted_at: Text = None
    originally_recorded: Original | None = None


class ModerationItem(_Item):
    question: str
    note: Text = None
    started_from: Text = None
    moderated_by: Text = None
    moderated_at: Text = None
    originally_recorded: Original | None = None


class DissentItem(_Item):
    question: str
    agency: str
    text: Text = None
    recorded_by: Text = None
    recorded_at: Text = None
    originally_recorded: Original | None = None


class FileModel(_Item):
    framework: FrameworkRef
    assessment: AssessmentMeta
    # Each item is checked on its own (``_each``), so that one bad item does not hide the
    # problems of the others.
    answers: list[dict] = _items()
    comments: list[dict] = _items()
    actions: list[dict] = _items()
    # Themes given to several agencies (files from before have none).
    assignments: list[dict] = _items()
    agency_views: list[dict] = _items()
    agency_submissions: list[dict] = _items()
    moderations: list[dict] = _items()
    dissents: list[dict] = _items()


MESSAGES = {
    "missing": "is required",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "string_type": "must be text",
    "bool_type": "must be true or false",
    "list_type": "must be a list",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "dict_type": "must be an object",
    "none_required": "must be empty",
}


def _where(loc: tuple, data: dict) -> str:
    """``("answers", 3, "numerator")`` as "answers[3] (AA-03).numerator"."""
    out = ""
    node: object = data
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            code = node.get("question") if isinstance(node, dict) else None
            if isinstance(code, str) and loc[0] in ("answers", "agency_views"):
                out += f" ({code[:20]})"
        else:
            name = {"date_value": "date"}.get(part, part)
            out += f".{name}" if out else name
            node = node.get(part) if isinstance(node, dict) else None
    return out


def _structure_problems(error: ValidationError, data: dict, prefix: tuple = ()) -> list[str]:
    problems = []
    for item in error.errors():
        loc = prefix + item["loc"]
        kind = item["type"]
        if kind == "too_long":
            message = f"more than {item['ctx']['max_length']} items"
        elif kind == "literal_error":
            message = f"must be one of {item['ctx']['expected']}"
        else:
            message = MESSAGES.get(kind, item["msg"])
        problems.append(f"{_where(loc, data)}: {message}")
    return problems


def _each(model: type[_ItemT], data: dict, key: str, problems: list[str]) -> list[_ItemT | None]:
    """The items of ``data[key]`` that have the right structure (None for the others, whose
    problems are added to ``problems``)."""
    out: list[_ItemT | None] = []
    for index, raw in enumerate(data.get(key) or []):
        try:
            out.append(model.model_validate(raw))
        except ValidationError as error:
            problems += _structure_problems(error, data, (key, index))
            out.append(None)
    return out


# 3. The product's rules ---------------------------------------------------------------------


@dataclass
class Plan:
    """What the import will write, all checked."""

    framework: Framework
    title: str
    start: date
    end: date
    answers: list[tuple[Question, dict, dict | None]] = field(default_factory=list)
    comments: list[dict] = field(default_factory=list)
    actions: list[dict] = field(default_factory=list)
    assignments: list[tuple] = field(default_factory=list)  # (theme, agency)
    agency_views: list[tuple[Question, dict, dict | None]] = field(default_factory=list)
    submissions: list[dict] = field(default_factory=list)
    moderations: list[dict] = field(default_factory=list)
    dissents: list[dict] = field(default_factory=list)
    # (question, an item of the partnership to attach, or the fields of a new linked item)
    evidence: list[tuple[Question, EvidenceItem | dict]] = field(default_factory=list)
    # Items whose file is not in the export and that the partnership does not hold: by title.
    evidence_without_file: list[str] = field(default_factory=list)


def _date(value: str | None, where: str, problems: list[str], required: bool = False):
    if value is None:
        if required:
            problems.append(f"{where}: a date is required")
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"{where}: {value[:40]!r} is not a real date like 2025-03-31")
        return None


def _original(item, by: str | None, at: str | None) -> dict | None:
    """Who the file says recorded an item, and when: kept as given (shortened), never trusted.
    An item imported before keeps its first origin."""
    if item.originally_recorded is not None:
        by, at = item.originally_recorded.by, item.originally_recorded.at
    if not by and not at:
        return None
    return {"by": (by or "")[:254] or None, "at": _readable(at)}


def _readable(at: str | None) -> str | None:
    """A time stamp from the file as a date to show, or the text itself if it is not one."""
    if not at:
        return None
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        return at[:40]
    return f"{moment:%-d %B %Y}"


def _text(value: str | None, where: str, problems: list[str], limit: int) -> str:
    value = value or ""
    if len(value) > limit:
        problems.append(f"{where}: must be {limit} characters or fewer")
    return value


def _answer_values(
    item: AnswerItem, question: Question, where: str, problems: list[str], *, nation: str, today
) -> dict:
    """An answer's (or an agency view's) values, checked by ``answer_rules`` as the form is."""
    options = list(question.options.all())
    labels = {o.label: o.pk for o in options}
    unknown = [s for s in item.selected if s not in labels]
    if unknown:
        problems.append(f"{where}.selected: {unknown[0][:60]!r} is not an answer to this question")
    before = len(problems)
    values = {
        "selected": sorted(labels[s] for s in item.selected if s in labels),
        "numerator": item.numerator,
        "denominator": item.denominator,
        "number": item.number,
        "date_value": _date(item.date_value, f"{where}.date", problems),
        "period_start": _date(item.period_start, f"{where}.period_start", problems),
        "period_end": _date(item.period_end, f"{where}.period_end", problems),
        "text": item.text or "",
        "evidence": item.evidence or "",
        "not_applicable": item.not_applicable,
        "not_applicable_reason": item.not_applicable_reason or "",
    }
    if len(problems) == before:
        for problem in answer_rules.problems(
            question, values, nation=nation, today=today, options=options
        ):
            name = {"date_value": "date"}.get(problem.field, problem.field)
            # ``where`` names the question already: not "(AA-01).number: AA-01: …".
            message = problem.message.removeprefix(f"{question.code}: ")
            problems.append(f"{where}.{name}: {message}")
    if item.agency and item.agency not in Agency.values:
        problems.append(f"{where}.agency: unknown agency {item.agency[:30]!r}")
    return values


def plan(data: dict, partnership: Partnership) -> Plan:
    """Check everything before writing anything. Returns the plan, or raises ImportProblem."""
    if data.get("schema") != SCHEMA:
        raise ImportProblem([f"This is not a self-assessment export (schema must be {SCHEMA!r})"])
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        shown = version if isinstance(version, int) else str(version)[:20]
        raise ImportProblem(
            [
                f"Schema version {shown!r} is not supported (this service reads version {SCHEMA_VERSION})"
            ]
        )
    try:
        parsed = FileModel.model_validate(data)
    except ValidationError as error:
        raise ImportProblem(_structure_problems(error, data)[:MAX_PROBLEMS]) from None
    framework = Framework.objects.filter(
        slug=parsed.framework.slug, version=parsed.framework.version
    ).first()
    if framework is None:
        raise ImportProblem(
            [
                f"framework: {parsed.framework.slug[:60]!r} version {parsed.framework.version[:20]!r} is not loaded in this service"
            ]
        )
    problems: list[str] = []
    answers = _each(AnswerItem, data, "answers", problems)
    comments = _each(CommentItem, data, "comments", problems)
    actions = _each(ActionItem, data, "actions", problems)
    today = timezone.localdate()
    nation = partnership.nation
    title = _text(parsed.assessment.title, "assessment.title", problems, 200).strip()
    if not title:
        problems.append("assessment.title: a title is required")
    start = _date(parsed.assessment.period_start, "assessment.period_start", problems, True)
    end = _date(parsed.assessment.period_end, "assessment.period_end", problems, True)
    for problem in answer_rules.period_problems(start, end, today=today):
        problems.append(f"assessment.{problem.field}: {problem.message}")

    questions = {
        q.code: q
        for q in Question.objects.filter(theme__framework=framework)
        .select_related("theme")
        .prefetch_related("options")
    }
    result = Plan(framework, title, start, end)
    held = list(EvidenceItem.objects.filter(partnership=partnership))

    seen = set()
    for index, item in enumerate(answers):
        if item is None:
            continue
        where = f"answers[{index}]"
        question = questions.get(item.question)
        if question is None:
            problems.append(f"{where}: unknown question code {item.question[:40]!r}")
            continue
        where = f"answers[{index}] ({question.code})"
        if question.code in seen:
            problems.append(f"{where}: the question is answered twice")
        seen.add(question.code)
        if not question.applies_to(nation):
            problems.append(
                f"{where}: this question does not apply in {partnership.get_nation_display()}"
            )
        values = _answer_values(item, question, where, problems, nation=nation, today=today)
        for e_index, ref in enumerate(item.evidence_items):
            _plan_evidence(
                result, question, ref, f"{where}.evidence_items[{e_index}]", problems, held
            )
        values["needs_reconfirmation"] = item.needs_reconfirmation
        values["agency"] = item.agency or ""
        result.answers.append((question, values, _original(item, item.answered_by, item.updated)))

    themes = {q.theme.code: q.theme for q in questions.values()}
    for index, comment in enumerate(comments):
        if comment is None:
            continue
        where = f"comments[{index}]"
        if comment.theme not in themes:
            problems.append(
                f"{where}.theme: {comment.theme[:20]!r} is not a theme of the framework"
            )
            continue
        question = questions.get(comment.question) if comment.question else None
        if comment.question and question is None:
            problems.append(f"{where}.question: unknown question code {comment.question[:40]!r}")
        text = _text(comment.text, f"{where}.text", problems, Comment.LIMIT)
        if not text.strip():
            problems.append(f"{where}.text: a comment needs text")
        result.comments.append(
            {
                "theme": themes[comment.theme],
                "question": question,
                "text": text,
                "original": _original(comment, comment.author, comment.created),
            }
        )

    for index, action in enumerate(actions):
        if action is None:
            continue
        where = f"actions[{index}]"
        description = _text(
            action.description, f"{where}.description", problems, Action.DESCRIPTION_LIMIT
        )
        if not description.strip():
            problems.append(f"{where}.description: is required")
        if action.agency not in Agency.values:
            problems.append(f"{where}.agency: unknown agency")
        if action.priority not in Priority.values:
            problems.append(f"{where}.priority: must be one of {', '.join(Priority.values)}")
        if action.status not in ActionStatus.values:
            problems.append(f"{where}.status: must be one of {', '.join(ActionStatus.values)}")
        due = _date(action.due, f"{where}.due", problems, required=True)
        unknown = [c for c in action.questions if c not in questions]
        if unknown:
            problems.append(f"{where}.questions: unknown question code {unknown[0][:40]!r}")
        reason = _text(action.dropped_reason, f"{where}.dropped_reason", problems, 1000)
        if action.status == ActionStatus.DROPPED and not reason.strip():
            problems.append(f"{where}.dropped_reason: a dropped action needs a reason")
        notes = []
        for n_index, note in enumerate(action.notes):
            text = _text(note.text, f"{where}.notes[{n_index}].text", problems, ActionNote.LIMIT)
            notes.append(
                {
                    "kind": note.kind,
                    "text": text,
                    "original": _original(note, note.author, note.created),
                }
            )
        original = _original(action, None, None) or {}
        if action.owner:
            original["owner"] = action.owner[:254]  # the importer assigns owners afresh
        result.actions.append(
            {
                "description": description,
                "agency": action.agency,
                "due": due,
                "priority": action.priority,
                "status": action.status,
                "dropped_reason": reason,
                "question_codes": sorted(set(action.questions)),
                "notes": notes,
                "original": original or None,
            }
        )
        if len(problems) > MAX_PROBLEMS:
            break
    _plan_shared(data, result, questions, themes, partnership, problems)
    if problems:
        raise ImportProblem(problems[:MAX_PROBLEMS])
    return result


def _plan_shared(
    data: dict,
    result: Plan,
    questions: dict[str, Question],
    themes: dict,
    partnership: Partnership,
    problems: list[str],
) -> None:
    """The themes given to several agencies: assignments, agency views (the same rules as an
    answer, and a theme given to the view's agency among others), submissions, moderation
    notes and dissents."""
    today, nation = timezone.localdate(), partnership.nation
    given: dict[str, set[str]] = {}
    for index, assignment in enumerate(_each(AssignmentItem, data, "assignments", problems)):
        if assignment is None:
            continue
        where = f"assignments[{index}]"
        if assignment.theme not in themes:
            problems.append(
                f"{where}.theme: {assignment.theme[:20]!r} is not a theme of the framework"
            )
        elif assignment.agency not in Agency.values:
            problems.append(f"{where}.agency: unknown agency {assignment.agency[:30]!r}")
        elif assignment.agency in given.setdefault(assignment.theme, set()):
            problems.append(f"{where}: the theme is given to this agency twice")
        else:
            given[assignment.theme].add(assignment.agency)
            result.assignments.append((themes[assignment.theme], assignment.agency))

    def shared_question(code: str, where: str) -> Question | None:
        question = questions.get(code)
        if question is None:
            problems.append(f"{where}: unknown question code {code[:40]!r}")
        elif len(given.get(question.theme.code, ())) < 2:
            problems.append(
                f"{where}: theme {question.theme.code} is not given to several agencies"
            )
            return None
        return question

    def assigned(theme_code: str, agency: str, where: str) -> bool:
        if agency in given.get(theme_code, ()):
            return True
        problems.append(f"{where}.agency: theme {theme_code} is not given to {agency[:30]!r}")
        return False

    seen: set[tuple[str, str]] = set()
    for index, view in enumerate(_each(AnswerItem, data, "agency_views", problems)):
        if view is None:
            continue
        question = shared_question(view.question, f"agency_views[{index}]")
        if question is None:
            continue
        where = f"agency_views[{index}] ({question.code})"
        if not assigned(question.theme.code, view.agency or "", where):
            continue
        if (question.code, view.agency) in seen:
            problems.append(f"{where}: the agency gives its view twice")
        seen.add((question.code, view.agency or ""))
        if not question.applies_to(nation):
            problems.append(
                f"{where}: this question does not apply in {partnership.get_nation_display()}"
            )
        values = _answer_values(view, question, where, problems, nation=nation, today=today)
        values["needs_reconfirmation"] = view.needs_reconfirmation
        values["agency"] = view.agency
        result.agency_views.append(
            (question, values, _original(view, view.answered_by, view.updated))
        )

    for index, submission in enumerate(_each(SubmissionItem, data, "agency_submissions", problems)):
        where = f"agency_submissions[{index}]"
        if submission is None:
            continue
        if submission.theme not in themes or len(given.get(submission.theme, ())) < 2:
            problems.append(
                f"{where}.theme: {submission.theme[:20]!r} is not given to several agencies"
            )
        elif assigned(submission.theme, submission.agency, where):
            result.submissions.append(
                {
                    "theme": themes[submission.theme],
                    "agency": submission.agency,
                    "original": _original(
                        submission, submission.submitted_by, submission.submitted_at
                    ),
                }
            )

    for index, moderation in enumerate(_each(ModerationItem, data, "moderations", problems)):
        if moderation is None:
            continue
        question = shared_question(moderation.question, f"moderations[{index}]")
        if question is None:
            continue
        where = f"moderations[{index}] ({question.code})"
        note = _text(moderation.note, f"{where}.note", problems, Moderation.NOTE_LIMIT)
        if not note.strip():
            problems.append(f"{where}.note: a moderation needs a note")
        started = moderation.started_from or ""
        if started and not assigned(question.theme.code, started, where):
            continue
        result.moderations.append(
            {
                "question": question,
                "note": note.strip(),
                "started_from": started,
                "original": _original(moderation, moderation.moderated_by, moderation.moderated_at),
            }
        )

    for index, dissent in enumerate(_each(DissentItem, data, "dissents", problems)):
        if dissent is None:
            continue
        question = shared_question(dissent.question, f"dissents[{index}]")
        if question is None:
            continue
        where = f"dissents[{index}] ({question.code})"
        if not assigned(question.theme.code, dissent.agency, where):
            continue
        text = _text(dissent.text, f"{where}.text", problems, Dissent.LIMIT)
        if not text.strip():
            problems.append(f"{where}.text: a dissent needs text")
        result.dissents.append(
            {
                "question": question,
                "agency": dissent.agency,
                "text": text.strip(),
                "original": _original(dissent, dissent.recorded_by, dissent.recorded_at),
            }
        )


def _plan_evidence(
    result: Plan,
    question: Question,
    ref: EvidenceRef,
    where: str,
    problems: list[str],
    held: list[EvidenceItem],
) -> None:
    """An item the partnership already holds (the same id, or a file with the same SHA-256) is
    attached again; one given by a link is created; a file the export does not carry and the
    partnership does not hold is left out, and said so."""
    same = next(
        (
            i
            for i in held
            if (ref.id and str(i.code) == ref.id) or (ref.sha256 and i.sha256 == ref.sha256)
        ),
        None,
    )
    if same is not None:
        result.evidence.append((question, same))
        return
    title = _text(ref.title, f"{where}.title", problems, EvidenceItem.TITLE_LIMIT).strip()
    if not title:
        problems.append(f"{where}.title: an evidence item needs a title")
    if ref.kind not in EvidenceKind.values:
        problems.append(f"{where}.kind: must be one of {', '.join(EvidenceKind.values)}")
    if ref.agency not in Agency.values:
        problems.append(f"{where}.agency: unknown agency")
    produced = _date(ref.produced, f"{where}.produced", problems, required=True)
    fields = {
        "title": title,
        "kind": ref.kind,
        "agency": ref.agency,
        "produced": produced,
        "period_start": _date(ref.period_start, f"{where}.period_start", problems),
        "period_end": _date(ref.period_end, f"{where}.period_end", problems),
        "review_by": _date(ref.review_by, f"{where}.review_by", problems),
        "description": _text(
            ref.description, f"{where}.description", problems, EvidenceItem.DESCRIPTION_LIMIT
        ),
    }
    if ref.link:
        if not ref.link.startswith(("https://", "http://")) or len(ref.link) > 500:
            problems.append(f"{where}.link: must be an https:// or http:// address")
        result.evidence.append((question, fields | {"link": ref.link}))
    else:
        result.evidence_without_file.append(title)


def import_assessment(
    data: dict, *, partnership: Partnership, user: User | None, left_out: list[str] | None = None
) -> Assessment:
    """Validate, then create a new draft assessment in one transaction (all or nothing).

    ``left_out`` receives the titles of evidence items whose files the export does not carry
    and the partnership does not hold (the answers are imported without them)."""
    checked = plan(data, partnership)
    now = timezone.now()
    with transaction.atomic():
        try:
            refuse_second_open_cycle(partnership)
        except DjangoValidationError as error:
            raise ImportProblem(error.messages) from None
        assessment = Assessment.objects.create(
            partnership=partnership,
            framework=checked.framework,
            title=checked.title,
            period_start=checked.start,
            period_end=checked.end,
            created_by=user,
        )
        for question, values, original in checked.answers:
            answer = Answer(
                assessment=assessment,
                question=question,
                answered_by=user,
                updated=now,
                original=original,
                **values,
            )
            answer._change_reason = "imported"
            answer.save()
        for spec in checked.comments:
            Comment.objects.create(assessment=assessment, author=user, **spec)
        assessment.assign(
            {
                theme: [a for t, a in checked.assignments if t == theme]
                for theme in {t for t, _ in checked.assignments}
            }
        )
        for question, values, original in checked.agency_views:
            view = AgencyView(
                assessment=assessment,
                question=question,
                answered_by=user,
                updated=now,
                original=original,
                **values,
            )
            view._change_reason = "imported"
            view.save()
        for spec in checked.submissions:
            submission = AgencyThemeSubmission(
                assessment=assessment, submitted_by=user, submitted_at=now, **spec
            )
            submission._change_reason = "imported"
            submission.save()
        for spec in checked.moderations:
            moderation = Moderation(
                assessment=assessment, moderated_by=user, moderated_at=now, **spec
            )
            moderation.answer_version = 1
            moderation._change_reason = "imported"
            moderation.save()
        for spec in checked.dissents:
            dissent = Dissent(assessment=assessment, recorded_by=user, recorded_at=now, **spec)
            dissent._change_reason = "imported"
            dissent.save()
        for spec in checked.actions:
            notes = spec.pop("notes")
            action = Action(assessment=assessment, raised_in=assessment, created_by=user, **spec)
            action._change_reason = "imported"
            action.save()
            ActionNote.objects.bulk_create(
                ActionNote(action=action, author=user, **note) for note in notes
            )
        created: dict[str, EvidenceItem] = {}
        for question, planned in checked.evidence:
            if isinstance(planned, dict):  # the same linked item on several answers is one item
                key = json.dumps(planned, sort_keys=True, default=str)
                if key not in created:
                    created[key] = EvidenceItem.objects.create(
                        partnership=partnership, created_by=user, **planned
                    )
                linked = created[key]
            else:
                linked = planned
            AnswerEvidence.objects.get_or_create(
                assessment=assessment, question=question, item=linked, defaults={"added_by": user}
            )
    if left_out is not None:
        left_out.extend(checked.evidence_without_file)
    return assessment
