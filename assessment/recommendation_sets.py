"""Recommendation set files (YAML) -> validated models.

``validate`` lists every problem at once, each naming the file, the recommendation (by its number)
and the field. ``load`` writes a valid file in one transaction and refuses to change a version
that a partnership's register uses. The format is documented in docs/recommendation-format.md.
"""

import hashlib
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction

from assessment import yaml_files
from assessment.models import Addressee, Recommendation, RecommendationSet

TOP_FIELDS = {
    "slug",
    "version",
    "title",
    "source",
    "published",
    "url",
    "framework",
    "notes",
    "recommendations",
}
TOP_REQUIRED = TOP_FIELDS - {"notes"}
RECOMMENDATION_FIELDS = {
    "number",
    "title",
    "summary",
    "addressed_to",
    "local_action",
    "themes",
    "questions",
    "citation",
    "unconfirmed",
}
RECOMMENDATION_REQUIRED = RECOMMENDATION_FIELDS - {"unconfirmed"}
LIMITS = {"number": 60, "title": 200, "citation": 200, "summary": 3000, "unconfirmed": 1000}
FRAMEWORKS_DIR = Path(settings.BASE_DIR) / "fixtures" / "frameworks"


class RecommendationSetError(Exception):
    """A recommendation set file that cannot be loaded; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _text(problems: list[str], where: str, item: dict, key: str, limit: int) -> None:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: field '{key}' must be text")
    elif len(value) > limit:
        problems.append(f"{where}: field '{key}' is longer than {limit} characters")


def _fields(problems: list[str], where: str, item: Any, allowed: set, required: set) -> bool:
    if not isinstance(item, dict):
        problems.append(f"{where}: must be a mapping of fields, not {type(item).__name__}")
        return False
    problems += [f"{where}: unknown field '{key}'" for key in sorted(set(item) - allowed)]
    problems += [f"{where}: field '{key}' is missing" for key in sorted(required - set(item))]
    return True


def validate(
    data: Any, source: str = "<recommendations>", codes: dict[str, set[str]] | None = None
) -> list[str]:
    """Every problem in a parsed recommendation set, or an empty list.

    ``codes`` holds the theme and question codes of the framework the set names
    ({"themes": {...}, "questions": {...}}); without it, codes are not checked.
    """
    problems: list[str] = []
    top = f"{source}: set"
    if not _fields(problems, top, data, TOP_FIELDS, TOP_REQUIRED):
        return problems
    if not isinstance(data.get("slug"), str) or not re.fullmatch(
        r"[a-z0-9]+(-[a-z0-9]+)*", data["slug"]
    ):
        problems.append(f"{top}: field 'slug' must be lower-case letters, digits and hyphens")
    if not isinstance(data.get("version"), str) or not re.fullmatch(
        r"[0-9A-Za-z.\-]{1,20}", data["version"]
    ):
        problems.append(f"{top}: field 'version' must be a quoted string such as \"2022.1\"")
    for key in ("title", "source", "framework"):
        _text(problems, top, data, key, 1000)
    if "notes" in data:
        _text(problems, top, data, "notes", 3000)
    if not isinstance(data.get("published"), date):
        problems.append(f"{top}: field 'published' must be a date (YYYY-MM-DD)")
    if not isinstance(data.get("url"), str) or not data["url"].startswith("https://"):
        problems.append(f"{top}: field 'url' must be an https:// address")

    items = data.get("recommendations")
    if not isinstance(items, list) or not items:
        problems.append(f"{top}: field 'recommendations' needs at least one recommendation")
        return problems
    numbers: set[str] = set()
    for index, item in enumerate(items):
        number = item.get("number") if isinstance(item, dict) else None
        where = f"{source}: recommendation {number if number else f'#{index + 1}'}"
        if not _fields(problems, where, item, RECOMMENDATION_FIELDS, RECOMMENDATION_REQUIRED):
            continue
        for key, limit in LIMITS.items():
            if key in item:
                _text(problems, where, item, key, limit)
        if isinstance(number, str):
            if number in numbers:
                problems.append(f"{where}: number {number!r} is used twice")
            numbers.add(number)
        addressed = item["addressed_to"]
        if not isinstance(addressed, list) or not addressed:
            problems.append(
                f"{where}: field 'addressed_to' must list at least one of "
                f"{', '.join(Addressee.values)}"
            )
        else:
            for value in addressed:
                if value not in Addressee.values:
                    problems.append(f"{where}: field 'addressed_to' has unknown value {value!r}")
        if not isinstance(item["local_action"], bool):
            problems.append(f"{where}: field 'local_action' must be true or false")
        for key in ("themes", "questions"):
            values = item[key]
            if not isinstance(values, list):
                problems.append(f"{where}: field '{key}' must be a list (it may be empty)")
                continue
            known = codes.get(key) if codes is not None else None
            for value in values:
                if known is not None and value not in known:
                    noun = "theme" if key == "themes" else "question"
                    problems.append(
                        f"{where}: field '{key}' names {noun} {value!r}, which is not in the "
                        f"question bank {data.get('framework')!r}"
                    )
    return problems


def framework_codes(slug: str, directory: Path = FRAMEWORKS_DIR) -> dict[str, set[str]] | None:
    """Theme and question codes across every question bank file with ``slug`` (all versions),
    or None when no file has it."""
    found = False
    codes: dict[str, set[str]] = {"themes": set(), "questions": set()}
    for path in sorted(directory.glob("*.yaml")):
        data = yaml_files.parse_file(path)
        if not isinstance(data, dict) or data.get("slug") != slug:
            continue
        found = True
        for theme in data.get("themes") or []:
            codes["themes"].add(theme.get("code"))
            codes["questions"] |= {q.get("code") for q in theme.get("questions") or []}
    return codes if found else None


def read(path: str | Path, frameworks: Path = FRAMEWORKS_DIR) -> dict:
    """Parse and validate a set file; raises RecommendationSetError naming the file."""
    path = Path(path)
    try:
        data = yaml_files.parse_file(path)
    except OSError as error:
        raise RecommendationSetError([f"{path}: cannot be read ({error.strerror})"]) from None
    except yaml.YAMLError as error:
        raise RecommendationSetError([f"{path}: is not valid YAML: {error}"]) from None
    codes = None
    if isinstance(data, dict) and isinstance(data.get("framework"), str):
        codes = framework_codes(data["framework"], frameworks)
        if codes is None:
            raise RecommendationSetError(
                [
                    f"{path}: set: field 'framework' names {data['framework']!r}, but no question "
                    f"bank file in {frameworks} has that slug"
                ]
            )
    problems = validate(data, str(path), codes)
    if problems:
        raise RecommendationSetError(problems)
    return data


def content_hash(data: dict) -> str:
    canonical = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def load(data: dict) -> tuple[RecommendationSet, str]:
    """Write a validated set in one transaction: "created", "unchanged" or "replaced".

    A changed file whose version a register uses is refused: give it a new version.
    """
    digest = content_hash(data)
    with transaction.atomic():
        existing = (
            RecommendationSet.objects.select_for_update()
            .filter(slug=data["slug"], version=data["version"])
            .first()
        )
        if existing and existing.content_hash == digest:
            return existing, "unchanged"
        outcome = "created"
        if existing:
            if existing.in_use():
                raise RecommendationSetError(
                    [
                        f"{data['slug']} version {data['version']} is used by a partnership's "
                        "register and cannot change. Give the changed file a new version; it "
                        "will load beside this one."
                    ]
                )
            existing.delete()
            outcome = "replaced"
        created = RecommendationSet.objects.create(
            slug=data["slug"],
            version=data["version"],
            title=data["title"],
            source=data["source"],
            published=data["published"],
            url=data["url"],
            framework_slug=data["framework"],
            notes=data.get("notes") or "",
            content_hash=digest,
        )
        Recommendation.objects.bulk_create(
            Recommendation(
                set=created,
                order=index + 1,
                number=item["number"],
                title=item["title"],
                summary=item["summary"],
                addressed_to=item["addressed_to"],
                local_action=item["local_action"],
                themes=item["themes"],
                questions=item["questions"],
                citation=item["citation"],
                unconfirmed=item.get("unconfirmed") or "",
            )
            for index, item in enumerate(data["recommendations"])
        )
    return created, outcome


def newest_sets(framework_slug: str | None = None) -> list[RecommendationSet]:
    """The newest version of each set (optionally only those about one question bank)."""
    sets = RecommendationSet.objects.order_by("slug", "-loaded_at")
    if framework_slug:
        sets = sets.filter(framework_slug=framework_slug)
    newest: dict[str, RecommendationSet] = {}
    for item in sets:
        newest.setdefault(item.slug, item)
    return sorted(newest.values(), key=lambda s: (s.published, s.slug))


def related_to_questions(framework_slug: str) -> dict[str, list[Recommendation]]:
    """Question code -> the recommendations (newest set versions) that relate to it."""
    out: dict[str, list[Recommendation]] = {}
    sets = newest_sets(framework_slug)
    for recommendation in Recommendation.objects.filter(set__in=sets).select_related("set"):
        for code in recommendation.questions:
            out.setdefault(code, []).append(recommendation)
    return out
