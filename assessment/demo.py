"""Fictional demo self-assessments: answers spread across the ladder, deterministic.

The same input always gives the same answers, so demos and screenshots are stable.
"""

import hashlib
from datetime import date, timedelta
from functools import cache

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import Prefetch

from assessment import scoring, yaml_files
from assessment.evidence import simple_pdf
from assessment.models import (
    Action,
    AnswerEvidence,
    Assessment,
    EvidenceItem,
    Framework,
    Kind,
    Option,
    Partnership,
    Question,
    User,
)
from assessment.signoff import record_board_approval
from assessment.workflow import (
    Change,
    confirm_answers,
    save_answers,
    start_assessment,
    submit,
    values_of,
)

LEVELS = scoring.LEVELS


@cache
def _evidence_texts() -> list[str]:
    return yaml_files.parse_file(settings.BASE_DIR / "fixtures" / "demo.yaml")["evidence"]


def _evidence(index: int) -> str:
    texts = _evidence_texts()
    return texts[index % len(texts)] + " (Fictional demo evidence.)"


def _values(question: Question, step: int, cycle: int) -> dict:
    """An answer for ``question``: the ``step`` spreads answers across the ladder; later cycles
    improve a little, as a real partnership would hope to."""
    values = values_of(None) | {"evidence": _evidence(step)}
    options = list(question.options.all())
    level = LEVELS[min(3, (step * 3 + cycle) % 4 + (cycle if step % 3 == 0 else 0))]
    if question.kind in (Kind.SINGLE, Kind.YES_NO):
        chosen = next((o for o in options if o.level == level), options[step % len(options)])
        values["selected"] = [chosen.pk]
    elif question.kind == Kind.MULTIPLE:
        # "None of these" stands alone (the form refuses it beside anything else).
        ticked = [o for i, o in enumerate(options) if (i + step + cycle) % 3 != 0]
        if len(ticked) > 1:
            ticked = [o for o in ticked if not o.excludes_others]
        values["selected"] = [o.pk for o in ticked]
    elif question.kind in (Kind.INDICATOR, Kind.COUNT):
        denominator = 40 + step * 7
        if question.kind == Kind.INDICATOR:
            values["numerator"] = (step * 11 + 5 - cycle * 3) % denominator
            values["denominator"] = denominator
        else:
            values["number"] = 2 + (step * 5 + cycle * 2) % 30
        # Never in the future (the form refuses that), however many cycles are made up.
        end = min(date(2024 + cycle, 3, 31), date.today() - timedelta(days=1))
        values["period_start"], values["period_end"] = end - timedelta(days=364), end
    elif question.kind == Kind.DATE:
        values["date_value"] = min(
            date(2023 + cycle, 1 + step % 12, 15), date.today() - timedelta(days=1)
        )
    else:
        values["text"] = (
            "The partnership's exploitation subgroup reviews this each quarter (fictional demo text)."
        )
    return values


def _demo_actions(assessment: Assessment, questions: list[Question], lead: User) -> None:
    """Actions for the first few gaps, one already done, so the plan has something to show."""
    from assessment.results import compute

    result = compute(assessment, questions, list(assessment.answers.all()), assessment.period_end)
    by_code = {q.code: q for q in questions}
    poor = [q.code for t in result.themes for q in t.questions if q.level == "poor"][:4]
    for index, code in enumerate(poor):
        question = by_code[code]
        Action.objects.create(
            assessment=assessment,
            raised_in=assessment,
            description=f"Bring {code} up to what good looks like: {question.guidance.split('. ')[0].rstrip('.')}.",
            agency=question.agencies[0],
            owner=lead,
            due=assessment.period_end + timedelta(days=90 * (index + 1)),
            priority="high" if question.critical else "medium",
            status="done" if index == 0 else "in_progress",
            question_codes=[code],
            created_by=lead,
        )


def _seed_evidence(
    assessment: Assessment,
    questions: list[Question],
    lead: User,
    specs: list[dict],
    cycle: int,
    made: dict[str, EvidenceItem],
) -> None:
    """The fictional evidence items of ``specs`` that support this cycle, each created once per
    partnership with a small generated PDF, attached to the answers the spec names."""
    by_code = {q.code: q for q in questions}
    for spec in specs:
        if cycle not in spec.get("cycles", []):
            continue
        item = made.get(spec["title"])
        if item is None:
            period = [date.fromisoformat(str(d)) for d in spec.get("period") or []]
            content = simple_pdf(
                [
                    spec["title"],
                    f"{assessment.partnership.name}: fictional demo evidence.",
                    "Nothing in this document describes a real child, family or person.",
                ]
            )
            item = EvidenceItem(
                partnership=assessment.partnership,
                title=spec["title"],
                kind=spec["kind"],
                agency=spec["agency"],
                produced=date.fromisoformat(str(spec["produced"])),
                period_start=period[0] if period else None,
                period_end=period[1] if period else None,
                review_by=date.fromisoformat(str(spec["review_by"]))
                if spec.get("review_by")
                else None,
                description="Fictional demo evidence.",
                file_name="demo-evidence.pdf",
                content_type="application/pdf",
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                no_child_data_confirmed=True,
                created_by=lead,
            )
            item.file.save("demo-evidence.pdf", ContentFile(content), save=True)
            made[spec["title"]] = item
        for code in spec["questions"]:
            if code in by_code:
                AnswerEvidence.objects.get_or_create(
                    assessment=assessment,
                    question=by_code[code],
                    item=item,
                    defaults={"added_by": lead},
                )


def seed_assessments(
    partnership: Partnership,
    frameworks: list[Framework],
    lead: User,
    cycles: list[dict],
    seed: int,
    evidence_items: list[dict] | None = None,
) -> list[str]:
    """Create the demo cycles for a partnership if it has none. Returns the titles created.

    Each cycle uses the framework version its spec names (the newest loaded if that one is not),
    so the demo shows a signed-off cycle on 2022.1 carried into a current one on 2022.2."""
    if partnership.assessments.exists():
        return []
    by_version = {f.version: f for f in frameworks}
    newest = max(frameworks, key=lambda f: f.version_key)
    previous: Assessment | None = None
    created = []
    made: dict[str, EvidenceItem] = {}
    for cycle, spec in enumerate(cycles):
        framework = by_version.get(str(spec.get("framework")), newest)
        questions = [
            q
            for q in Question.objects.filter(theme__framework=framework)
            .prefetch_related(Prefetch("options", Option.objects.order_by("order")))
            .order_by("theme__order", "order")
            if q.applies_to(partnership.nation)
        ]
        start, end = (date.fromisoformat(str(d)) for d in spec["period"])
        assessment = start_assessment(
            partnership=partnership,
            framework=framework,
            title=spec["title"],
            period_start=start,
            period_end=end,
            created_by=lead,
            carried_from=previous,
        )
        current = {a.question_id: a for a in assessment.answers.all()}
        if previous is None:
            changes = [Change(q, _values(q, i + seed, cycle), 0) for i, q in enumerate(questions)]
        else:
            # This year's cycle: a third of the carried answers updated, a third confirmed, a third still to confirm.
            changes = [
                Change(
                    q, _values(q, i + seed, cycle), current[q.pk].version if q.pk in current else 0
                )
                for i, q in enumerate(questions)
                if i % 3 == 0
            ]
        save_answers(
            assessment=assessment, changes=changes, user=lead, agency="childrens_social_care"
        )
        if previous is not None:
            confirm_answers(
                assessment=assessment,
                questions=[q for i, q in enumerate(questions) if i % 3 == 1],
                user=lead,
            )
        if previous is None:
            _demo_actions(assessment, questions, lead)
        _seed_evidence(assessment, questions, lead, evidence_items or [], cycle, made)
        if spec.get("signed_off"):
            # Before signing off, the lead confirms what was carried over unchanged.
            confirm_answers(assessment=assessment, questions=questions, user=lead)
            submit(assessment=assessment, user=lead)
            record_board_approval(
                assessment=assessment,
                user=lead,
                meeting=assessment.period_end + timedelta(days=60),
                name=lead.get_full_name(),
                role="Partnership business manager",
            )
        created.append(spec["title"])
        previous = assessment
    return created


def seed_moderation(partnership: Partnership, lead: User, spec: dict) -> str | None:
    """In the partnership's open cycle, one theme given to three agencies whose views differ,
    each submitted by a contributor of that agency; the first question settled by the lead
    from one agency's view, and one agency's dissent. Returns the theme's title, or None when
    the cycle, the theme or a contributor of each agency is missing."""
    from assessment.models import Membership, Role, Status, Theme
    from assessment.moderation import moderate, record_dissent, submit_view

    assessment = partnership.assessments.filter(status=Status.DRAFT).first()
    if assessment is None:
        return None
    theme = Theme.objects.filter(framework=assessment.framework, code=spec["theme"]).first()
    members = {
        m.agency: m.user
        for m in Membership.objects.filter(
            partnership=partnership, role=Role.CONTRIBUTOR, agency__in=list(spec["views"])
        ).select_related("user")
    }
    if theme is None or set(members) != set(spec["views"]) or assessment.agency_views.exists():
        return None
    questions = [
        q
        for q in theme.questions.order_by("order").prefetch_related(
            Prefetch("options", Option.objects.order_by("order"))
        )
        if q.applies_to(partnership.nation)
    ]
    first = questions[0]
    assessment.assign({theme: sorted(spec["views"])})
    for offset, (agency, level) in enumerate(spec["views"].items()):
        changes = [Change(q, _values(q, i + offset * 2, 1), 0) for i, q in enumerate(questions)]
        changes[0] = Change(first, _level(first, level, offset), 0)
        save_answers(
            assessment=assessment,
            changes=changes,
            user=members[agency],
            agency=agency,
            agency_view=True,
        )
        submit_view(assessment=assessment, theme=theme, agency=agency, user=members[agency])
    answer = assessment.answers.filter(question=first).first()
    moderate(
        assessment=assessment,
        change=Change(
            first,
            _level(first, spec["settle"], 0) | {"evidence": spec["note"]},
            answer.version if answer else 0,
        ),
        note=spec["note"],
        started_from=spec["started_from"],
        user=lead,
    )
    dissent = spec["dissent"]
    record_dissent(
        assessment=assessment,
        question=first,
        agency=dissent["agency"],
        text=dissent["text"],
        user=members[dissent["agency"]],
    )
    return theme.title


def _level(question: Question, level: str, step: int) -> dict:
    """A choice question answered at ``level``, with demo evidence."""
    option = next(o for o in question.options.all() if o.level == level)
    return values_of(None) | {"selected": [option.pk], "evidence": _evidence(step)}


def seed_register(partnership: Partnership, lead: User, spec: dict, publish_on: date | None) -> int:
    """The partnership's recommendations register from the demo file: a spread of statuses, a
    local recommendation, owners by agency (none where the partnership has no such member),
    milestones, links to the demo actions and evidence items, and optionally one published
    version. Entries whose recommendation set is not loaded are skipped. Returns how many
    entries were created."""
    from assessment.models import EvidenceItem, Milestone, Recommendation, RecommendationResponse
    from assessment.recommendation_sets import newest_sets
    from assessment.register import publish

    if partnership.register.exists():
        return 0
    sets = {s.slug: s for s in newest_sets()}
    owners: dict[str, User] = {}
    for membership in partnership.memberships.select_related("user").order_by("user__name"):
        owners.setdefault(membership.agency, membership.user)
    actions = list(Action.objects.filter(assessment__partnership=partnership).order_by("created"))
    fields = ("applies", "applies_how", "response", "lead_agency", "owner_role", "status")
    created = 0
    for item in spec["entries"] + spec["local"]:
        entry = RecommendationResponse(partnership=partnership, created_by=lead)
        if "set" in item:
            if item["set"] not in sets:
                continue
            entry.recommendation = Recommendation.objects.get(
                set=sets[item["set"]], number=str(item["number"])
            )
        else:
            for name in ("local_source", "local_title", "local_summary", "local_reference"):
                setattr(entry, name, item[name])
        for name in fields:
            setattr(entry, name, item.get(name, ""))
        entry.not_accepted_reason = item.get("not_accepted_reason", "")
        entry.owner = owners.get(item["owner"]) if item.get("owner") else None
        entry.save()
        if "action" in item and item["action"] < len(actions):
            entry.actions.add(actions[item["action"]])
        entry.evidence.add(
            *EvidenceItem.objects.filter(
                partnership=partnership, title__in=item.get("evidence", [])
            )
        )
        for due, text, done in item.get("milestones", []):
            Milestone.objects.create(response=entry, due=due, text=text, done=done)
        created += 1
    if publish_on is not None and created:
        publish(partnership=partnership, user=lead, approved_on=publish_on, show_names=False)
    return created
