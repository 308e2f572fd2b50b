"""A validated question bank file -> models, in one transaction.

``load`` refuses to change a version that an assessment uses.
"""

import hashlib
import json
from decimal import Decimal
from pathlib import Path

import yaml
from django.db import transaction

from assessment.frameworks.validation import FrameworkError, validate
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

# The C loader parses the real bank about seven times faster; PyYAML built without libyaml lacks it.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read(path: str | Path) -> dict:
    """Parse a question bank file; raises FrameworkError naming the file on bad YAML."""
    path = Path(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)  # noqa: S506 (a safe loader)
    except OSError as error:
        raise FrameworkError([f"{path}: cannot be read ({error.strerror})"]) from None
    except yaml.YAMLError as error:
        raise FrameworkError([f"{path}: is not valid YAML: {error}"]) from None
    problems = validate(data, str(path))
    if problems:
        raise FrameworkError(problems)
    return data


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


def _create(data: dict, digest: str) -> Framework:
    framework = Framework.objects.create(
        slug=data["slug"],
        version=data["version"],
        title=data["title"],
        source=data["source"],
        source_url=data.get("source_url") or "",
        published=data.get("published"),
        sections=data["sections"],
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
                critical=qspec.get("critical", False),
                critical_nations=list(qspec["nations"]) if qspec.get("critical") else [],
                agencies=qspec["agencies"],
                nations=qspec["nations"],
                references=qspec["references"],
                bands=qspec.get("bands"),
                indicator=qspec.get("indicator"),
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
                        direction=bspec["direction"],
                        note=bspec.get("note") or "",
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
