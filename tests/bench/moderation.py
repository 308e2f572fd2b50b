"""The moderation page of a theme given to three agencies, against its own bare view.

Self-contained: its data (a partnership of its own, three agencies' submitted views of two
themes of different sizes, a settled answer and a dissent), its bare Django view and its
measurement, which ``runner.measure`` calls once.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import connection
from django.http import HttpResponse
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

if TYPE_CHECKING:
    from assessment.models import AgencyView, Answer, Dissent, Moderation, Question

AGENCIES = ("education", "health", "police")

# The same rows as the moderation page (theme, questions and options, each agency's view,
# submissions, partnership answers, moderation notes and dissents), rendered with one template:
# no access checks, levels, disagreement, GOV.UK markup or layout.
_BARE = Template(
    "<html><body><h1>{{ theme.title }}</h1>{% for s in submissions %}<p>{{ s.agency }} "
    "{{ s.submitted_at }}</p>{% endfor %}<table><tr><th>Question</th>{% for a in agencies %}"
    "<th>{{ a }}</th>{% endfor %}<th>Partnership</th></tr>{% for q in questions %}<tr><td>"
    "{{ q.question.code }} {{ q.question.text }}</td>{% for v in q.cells %}<td>"
    "{% for o in q.question.options.all %}"
    "{% if o.pk in v.selected %}{{ o.label }} {{ o.level }}{% endif %}{% endfor %}"
    "{{ v.numerator }} {{ v.denominator }} {{ v.number }}</td>{% endfor %}<td>"
    "{% for o in q.question.options.all %}{% if o.pk in q.answer.selected %}{{ o.label }}{% endif %}"
    "{% endfor %}{{ q.moderation.note }}{% for d in q.dissents %} {{ d.text }}{% endfor %}"
    "</td></tr>{% endfor %}</table></body></html>"
)


@dataclass
class _Row:
    """One question's row: each agency's view (None: not given), the answer, note and dissents."""

    question: "Question"
    cells: "list[AgencyView | None]"
    answer: "Answer | None"
    moderation: "Moderation | None"
    dissents: "list[Dissent]"


def baseline_moderation(request, code, theme):
    """The rows of the moderation page, read and rendered with plain Django."""
    from django.db.models import Prefetch

    from assessment.models import (
        AgencyThemeSubmission,
        AgencyView,
        Answer,
        Assessment,
        Dissent,
        Moderation,
        Option,
        Theme,
    )

    assessment = Assessment.objects.get(code=code)
    theme_row = Theme.objects.get(framework_id=assessment.framework_id, code=theme)
    questions = list(
        theme_row.questions.order_by("order").prefetch_related(
            Prefetch("options", Option.objects.order_by("order"))
        )
    )
    rows = {"assessment": assessment, "question__theme": theme_row}
    views: dict = {}
    for view in AgencyView.objects.filter(**rows):
        views[(view.question_id, view.agency)] = view
    answers = {a.question_id: a for a in Answer.objects.filter(**rows)}
    moderations = {m.question_id: m for m in Moderation.objects.filter(**rows)}
    dissents: dict = {}
    for dissent in Dissent.objects.filter(**rows):
        dissents.setdefault(dissent.question_id, []).append(dissent)
    table = [
        _Row(
            question=q,
            cells=[views.get((q.pk, a)) for a in AGENCIES],
            answer=answers.get(q.pk),
            moderation=moderations.get(q.pk),
            dissents=dissents.get(q.pk, []),
        )
        for q in questions
    ]
    submissions = AgencyThemeSubmission.objects.filter(assessment=assessment, theme=theme_row)
    context = {
        "theme": theme_row,
        "agencies": AGENCIES,
        "questions": table,
        "submissions": submissions,
    }
    return HttpResponse(_BARE.render(Context(context)))


def build(framework, lead):
    """A partnership of its own whose two largest themes are given to three agencies, each of
    which has submitted its view; the first question of each is settled, with a dissent."""
    from assessment.demo import _values
    from assessment.models import Answer, Membership, Partnership, Question
    from assessment.moderation import moderate, record_dissent, submit_view
    from assessment.workflow import Change, save_answers
    from tests.factories import make_assessment, make_user

    partnership = Partnership.objects.create(
        name="Bench moderation partnership", nation="england", area="Bench area"
    )
    Membership.objects.create(
        partnership=partnership, user=lead, role="lead", agency="childrens_social_care"
    )
    members = {}
    for agency in AGENCIES:
        members[agency] = make_user(f"bench-{agency}@bench.example")
        Membership.objects.create(
            partnership=partnership, user=members[agency], role="contributor", agency=agency
        )
    assessment = make_assessment(partnership, framework, title="Bench moderation cycle")
    themes = sorted(framework.themes.all(), key=lambda t: -t.questions.count())[:2]
    assessment.assign({t: list(AGENCIES) for t in themes})
    for theme in themes:
        questions = [
            q
            for q in Question.objects.filter(theme=theme)
            .prefetch_related("options")
            .order_by("order")
            if q.applies_to("england")
        ]
        for step, agency in enumerate(AGENCIES):
            save_answers(
                assessment=assessment,
                changes=[
                    Change(q, _values(q, i + step * 2, step), 0) for i, q in enumerate(questions)
                ],
                user=members[agency],
                agency=agency,
                agency_view=True,
            )
            submit_view(assessment=assessment, theme=theme, agency=agency, user=members[agency])
        first = questions[0]
        answer = Answer.objects.filter(assessment=assessment, question=first).first()
        moderate(
            assessment=assessment,
            change=Change(first, _values(first, 1, 1), answer.version if answer else 0),
            note="Settled after the bench audit (fictional).",
            started_from="health",
            user=lead,
        )
        record_dissent(
            assessment=assessment,
            question=first,
            agency="health",
            text="Health disagrees (fictional).",
            user=members["health"],
        )
    return assessment, [t.code for t in themes]


def measure(client, framework, lead, add, broken, repeat: int, median_ms_pair) -> None:
    """The moderation page of three agencies' views: the same queries for two themes of
    different sizes, and its time as a ratio to its bare view measured in the same run."""
    assessment, themes = build(framework, lead)
    url = f"/assessments/{assessment.code}/themes/{{}}/moderate/"
    counts = {}
    for theme in themes:
        assert client.get(url.format(theme)).status_code == 200
        with CaptureQueriesContext(connection) as q:
            assert client.get(url.format(theme)).status_code == 200
        counts[theme] = len(q)
    constant = len(set(counts.values())) == 1
    if not constant:
        broken.append(f"moderation page queries vary with the theme: {counts}")
    ours, bare = median_ms_pair(
        lambda: client.get(url.format(themes[0])),
        lambda: client.get(f"/bench/baseline/{assessment.code}/moderate/{themes[0]}"),
        repeat * 2 + 1,
    )
    ok = constant and ours / bare <= 3
    if ours / bare > 3:
        broken.append(f"moderation page: {ours / bare:.2f}x its bare view (budget 3x)")
    add(
        "Moderation page, 3 agencies: queries / time",
        f"{next(iter(counts.values()))} q, {ours:.1f} ms",
        f"{ours / bare:.2f}x",
        f"bare view {bare:.1f} ms, <= 3x; queries the same for themes {' and '.join(themes)}",
        ok,
    )
