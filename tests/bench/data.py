"""The benchmark's data: fictional partnerships, each with cycles answering the whole framework."""

from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone


def build(partnerships: int, cycles: int):
    """Fictional partnerships, each with ``cycles`` cycles answering the whole framework."""
    from assessment.frameworks import load, read
    from assessment.models import Assessment, Membership, Partnership, Question, User

    framework, _ = load(
        read(Path(settings.BASE_DIR) / "fixtures" / "frameworks" / "iicsa-cse-networks.yaml")
    )
    questions = list(
        Question.objects.filter(theme__framework=framework).prefetch_related("options")
    )
    lead = User.objects.create_user("bench-lead@bench.example", "bench-password-not-secret")
    now = timezone.now()
    created = []
    for p in range(partnerships):
        nation = "wales" if p % 5 == 0 else "england"
        partnership = Partnership.objects.create(
            name=f"Bench partnership {p:03d}", nation=nation, area=f"Area {p:03d}"
        )
        Membership.objects.create(partnership=partnership, user=lead, role="lead", agency="police")
        applicable = [q for q in questions if q.applies_to(nation)]
        previous = None
        for c in range(cycles):
            end = date(2020 + c, 3, 31)
            assessment = Assessment.objects.create(
                partnership=partnership,
                framework=framework,
                title=f"Cycle {c + 1}",
                period_start=end - timedelta(days=364),
                period_end=end,
                created_by=lead,
                carried_from=previous,
            )
            answer_all(assessment, applicable, lead, step=p, cycle=c, now=now)
            previous = assessment
            created.append(assessment)
    return framework, lead, created


def answer_all(assessment, questions, lead, *, step: int, cycle: int, now) -> None:
    """Answers to every question, spread across the ladder (later cycles a little better)."""
    from assessment.demo import _values
    from assessment.models import Answer

    # Bench data only: bulk writes skip the answer history, which no page here reads.
    Answer.objects.bulk_create(
        Answer(
            assessment=assessment,
            question=q,
            answered_by=lead,
            agency="police",
            updated=now,
            **_values(q, i + step, cycle),
        )
        for i, q in enumerate(questions)
    )


def build_small(lead):
    """Two cycles of a partnership on the tests' small framework (2 themes x 2 questions), to
    show that a page's query count does not grow with the framework."""
    from assessment.models import Membership, Question
    from tests.factories import make_assessment, make_framework, make_partnership

    framework = make_framework()
    partnership = make_partnership("Bench small partnership")
    Membership.objects.create(partnership=partnership, user=lead, role="lead", agency="police")
    questions = list(
        Question.objects.filter(theme__framework=framework).prefetch_related("options")
    )
    first = make_assessment(partnership, framework, title="Small 1")
    second = make_assessment(
        partnership,
        framework,
        title="Small 2",
        carried_from=first,
        period_start=date(2025, 4, 1),
        period_end=date(2026, 3, 31),
    )
    for c, assessment in enumerate((first, second)):
        answer_all(assessment, questions, lead, step=0, cycle=c, now=timezone.now())
    return first, second
