"""A validated question bank file -> models, in one transaction.

``load`` refuses to change a version that an assessment uses.
"""

import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from assessment import yaml_files
from assessment.frameworks.validation import FrameworkError, critical_nations, validate
from assessment.models import (
    Benchmark,
    Framework,
    GlossaryTerm,
    Option,
    PracticeExample,
    Question,
    Theme,
)
from assessment.models.framework import DEFAULT_POINTS

# The C loader parses the real bank about seven times faster (see assessment/yaml_files.py).
YAML_LOADER = yaml_files.YAML_LOADER


def read(path: str | Path, *, _following: frozenset[Path] = frozenset()) -> dict:
    """Parse and validate a question bank file; raises FrameworkError naming the file.

    A file that names the version it follows (``previous: {version, file}``, the file relative to
    this one) has its carry-over checked against that file too.
    """
    path = Path(path)
    data = _parse(path)
    previous = None
    named = data.get("previous") if isinstance(data, dict) else None
    if isinstance(named, dict) and isinstance(named.get("file"), str):
        following = _following | {path.resolve()}
        if (path.parent / named["file"]).resolve() in following:
            raise FrameworkError([f"{path}: framework: previous: {named['file']} leads back here"])
        previous = read(path.parent / named["file"], _following=following)
        if previous.get("version") != named.get("version") or previous.get("slug") != data.get(
            "slug"
        ):
            raise FrameworkError(
                [
                    f"{path}: framework: previous: {named['file']} is "
                    f"{previous.get('slug')} {previous.get('version')}, not "
                    f"{data.get('slug')} {named.get('version')}"
                ]
            )
    problems = validate(data, str(path), previous)
    if problems:
        raise FrameworkError(problems)
    return data


def _parse(path: Path) -> Any:
    try:
        return yaml_files.parse_file(path)
    except OSError as error:
        raise FrameworkError([f"{path}: cannot be read ({error.strerror})"]) from None
    except yaml.YAMLError as error:
        raise FrameworkError([f"{path}: is not valid YAML: {error}"]) from None


def content_hash(data: dict) -> str:
    canonical = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def load(data: dict) -> tuple[Framework, str]:
    """Write a validated framework in one transaction.

    Returns the framework and what happened: "created", "unchanged" or "replaced". A changed
    file whose version is already used by an assessment is refused: bump the version instead.
    """
    digest = content_hash(data)
    with transaction.atomic():
        existing = (
            Framework.objects.select_for_update()
            .filter(slug=data["slug"], version=data["version"])
            .first()
        )
        if existing and existing.content_hash == digest:
            return existing, "unchanged"
        outcome = "created"
        if existing:
            if existing.in_use():
                raise FrameworkError(
                    [
                        f"{data['slug']} version {data['version']} is used by assessments and cannot change. "
                        "Give the changed file a new version (for example "
                        f"{_next_version(data['version'])}); it will load beside this one."
                    ]
                )
            existing.delete()
            outcome = "replaced"
        framework = _create(data, digest)
    return framework, outcome


def _next_version(version: str) -> str:
    head, _, tail = version.rpartition(".")
    return f"{head}.{int(tail) + 1}" if head and tail.isdigit() else f"{version}.1"


def _with_titles(value: Any, titles: dict[str, str]) -> Any:
    """A copy of ``value`` in which every document reference carries the document's short title,
    so that a citation can be written without looking the document up."""
    if isinstance(value, list):
        return [_with_titles(item, titles) for item in value]
    if isinstance(value, dict):
        copied = {key: _with_titles(item, titles) for key, item in value.items()}
        if "document" in copied and "part" in copied:
            copied["title"] = titles[copied["document"]]
        return copied
    return value


def _documents(data: dict) -> list[dict]:
    return [
        {
            "id": d["id"],
            "title": d["title"],
            "short_title": d["short_title"],
            "publisher": d["publisher"],
            "date": str(d["date"]),  # YAML reads 2023-12-05 as a date; JSON needs text
            "url": d.get("url") or "",
        }
        for d in data.get("documents") or []
    ]


def _carry(carry: dict | None) -> dict | None:
    if carry is None:
        return None
    normalised = {"mode": carry["mode"]}
    if carry.get("from"):
        normalised["from"] = carry["from"]
    if carry.get("options"):
        # YAML reads {1: 2} with a number as key; JSON keys are text, so store them as text.
        normalised["options"] = {str(old): new for old, new in carry["options"].items()}
    return normalised


def _create(data: dict, digest: str) -> Framework:
    documents = _documents(data)
    data = _with_titles(data, {d["id"]: d["short_title"] for d in documents})
    framework = Framework.objects.create(
        format=data.get("format", 1),
        tolerance=data.get("tolerance", Framework.TOLERANCE),
        documents=documents,
        slug=data["slug"],
        version=data["version"],
        title=data["title"],
        source=data["source"],
        source_url=data.get("source_url") or "",
        published=data.get("published"),
        sections=data["sections"],
        evidence_months=data.get("evidence_months"),
        content_hash=digest,
    )
    questions: dict[str, Question] = {}
    themes: dict[str, Theme] = {}
    options, benchmarks = [], []
    for t, spec in enumerate(data["themes"]):
        theme = Theme.objects.create(
            framework=framework,
            code=spec["code"],
            title=spec["title"],
            order=t + 1,
            summary=spec["summary"],
            report_part=spec["report_part"],
        )
        themes[theme.code] = theme
        for q, qspec in enumerate(spec["questions"]):
            question = Question.objects.create(
                theme=theme,
                code=qspec["code"],
                order=q + 1,
                text=qspec["text"],
                guidance=qspec["guidance"],
                kind=qspec["kind"],
                weight=qspec.get("weight", 1),
                required=qspec.get("required", True),
                critical=bool(critical_nations(qspec)),
                critical_nations=critical_nations(qspec),
                critical_because=qspec.get("critical_because"),
                not_applicable_nations=list(qspec.get("not_applicable") or []),
                carry=_carry(qspec.get("carry")),
                agencies=qspec["agencies"],
                nations=qspec["nations"],
                references=qspec["references"],
                bands=qspec.get("bands"),
                indicator=qspec.get("indicator"),
                evidence=qspec.get("evidence"),
            )
            questions[question.code] = question
            for o, ospec in enumerate(qspec.get("options") or []):
                options.append(
                    Option(
                        question=question,
                        order=o + 1,
                        label=ospec["label"],
                        level=ospec["level"],
                        points=ospec.get("points", DEFAULT_POINTS[ospec["level"]]),
                        descriptor=ospec["descriptor"],
                        references=ospec["references"],
                    )
                )
            for b, bspec in enumerate(qspec.get("benchmarks") or []):
                benchmarks.append(
                    Benchmark(
                        question=question,
                        order=b + 1,
                        area=bspec["area"],
                        value=Decimal(str(bspec["value"])),
                        qualifier=bspec.get("qualifier") or "",
                        unit=bspec["unit"],
                        denominator=bspec.get("denominator"),
                        period=str(bspec.get("period") or ""),
                        direction=bspec["direction"] or "",
                        note=bspec.get("note") or "",
                        scope=bspec.get("scope") or "",
                        base=bspec.get("base") or "",
                        comparable=bspec.get("comparable", True),
                        reference=bspec["reference"],
                    )
                )
    Option.objects.bulk_create(options)
    Benchmark.objects.bulk_create(benchmarks)
    for e, spec in enumerate(data.get("practice_examples") or []):
        example = PracticeExample.objects.create(
            framework=framework,
            theme=themes[spec["theme"]],
            order=e + 1,
            area=spec["area"],
            kind=spec["kind"],
            summary=spec["summary"],
            reference=spec["reference"],
        )
        example.questions.set([questions[code] for code in spec["questions"]])
    GlossaryTerm.objects.bulk_create(
        GlossaryTerm(
            framework=framework,
            order=g + 1,
            term=spec["term"],
            definition=spec["definition"],
            references=spec["references"],
        )
        for g, spec in enumerate(data.get("glossary") or [])
    )
    return framework
