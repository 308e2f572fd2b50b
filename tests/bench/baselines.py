"""Bare Django views: the same rows read with the ORM and rendered with one template, with
none of our code (no access checks, forms, GOV.UK markup or layout). The URLs of the
benchmark's run are these and then the site's own."""

from django.http import HttpResponse
from django.template import Context, Template
from django.urls import include, path

# The baseline is what a plain Django view would do for the same page: read the same rows with
# the ORM (theme, questions, options, the answers, comments, open challenges, the evidence items
# attached and the register's items) and render their content (the question, its guidance and
# citations, each option with its descriptor, the answer's values and evidence, the comments and
# challenges, each attached item and the register to pick from) with one template, with none of
# our code: no access checks, forms, GOV.UK markup or page layout. The ratio is the price of all
# of those.
_BASELINE = Template(
    "<html><body><h1>{{ theme.title }}</h1><p>{{ theme.summary }}</p>"
    "{% for q in questions %}<section><h2>{{ q.code }} {{ q.text }}</h2><p>{{ q.guidance }}</p>"
    "<p>{% for r in q.references %}{{ r.section }} para {{ r.paragraph }} {% endfor %}</p><ul>"
    "{% for o in q.options.all %}<li><label><input type=radio name={{ q.code }} value={{ o.pk }}"
    "{% if o.pk in q.answer.selected %} checked{% endif %}>{{ o.label }}</label><p>{{ o.descriptor }}"
    "</p></li>{% endfor %}</ul>{% if q.answer %}<p>{{ q.answer.numerator }} {{ q.answer.denominator }}"
    " {{ q.answer.number }} {{ q.answer.date_value }} {{ q.answer.text }}</p>{% endif %}"
    "<textarea>{{ q.answer.evidence }}</textarea>{% for c in q.comments %}<p>{{ c.text }}</p>"
    "{% endfor %}{% for c in q.challenges %}<p>{{ c.text }}</p>{% endfor %}<ul>"
    "{% for i in q.items %}<li>{{ i.title }} {{ i.kind }} {{ i.produced }} {{ i.review_by }}</li>"
    "{% endfor %}</ul><select>{% for i in register %}<option value={{ i.code }}>{{ i.title }}"
    "</option>{% endfor %}</select></section>{% endfor %}</body></html>"
)


def baseline_theme(request, code, theme):
    """The rows of a theme page, read and rendered with plain Django: no code of ours."""
    from django.db.models import Prefetch

    from assessment.models import (
        Answer,
        AnswerEvidence,
        Assessment,
        Challenge,
        Comment,
        EvidenceItem,
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
    answers = {
        a.question_id: a
        for a in Answer.objects.filter(assessment=assessment, question__theme=theme_row)
    }
    comments: dict = {}
    for comment in Comment.objects.filter(assessment=assessment, theme=theme_row):
        comments.setdefault(comment.question_id, []).append(comment)
    # The page also shows each answer's evidence items, the register to attach from, and the
    # open challenges (rows the page has had since the evidence register and scrutiny).
    challenges: dict = {}
    for challenge in Challenge.objects.filter(
        assessment=assessment, theme=theme_row, resolved_at__isnull=True
    ):
        challenges.setdefault(challenge.question_id, []).append(challenge)
    items: dict = {}
    for link in AnswerEvidence.objects.filter(assessment=assessment).select_related("item"):
        items.setdefault(link.question_id, []).append(link.item)
    register = list(EvidenceItem.objects.filter(partnership_id=assessment.partnership_id))
    for q in questions:  # the bare template reads them from the question, as attributes
        vars(q).update(
            answer=answers.get(q.pk),
            comments=comments.get(q.pk, []),
            challenges=challenges.get(q.pk, []),
            items=items.get(q.pk, []),
        )
    return HttpResponse(
        _BASELINE.render(
            Context({"theme": theme_row, "questions": questions, "register": register})
        )
    )


urlpatterns = [
    path("bench/baseline/<uuid:code>/<str:theme>/", baseline_theme),
    path("", include("assessment.urls")),
]


# Bare views of the results pages: each reads the rows its page shows and renders that content
# (titles, scores, levels, answers, citations) with one template. Scores come from the pure
# scoring functions (or a signed-off cycle's snapshot), as the pages' do: they are the content.


def _framework(framework_id: int) -> tuple[list, list]:
    from django.db.models import Prefetch

    from assessment.models import Option, Question, Theme

    themes = list(Theme.objects.filter(framework_id=framework_id).order_by("order"))
    questions = list(
        Question.objects.filter(theme__framework_id=framework_id)
        .select_related("theme")
        .prefetch_related(Prefetch("options", Option.objects.order_by("order")))
        .order_by("theme__order", "order")
    )
    return themes, questions


def _scores(cycles: list, questions: list) -> dict:
    """Each cycle's result: from its snapshot once signed off, else scored now."""
    from django.utils import timezone

    from assessment import snapshots
    from assessment.models import Answer, Snapshot
    from assessment.results import compute

    answers: dict = {}
    for answer in Answer.objects.filter(assessment__in=cycles):
        answers.setdefault(answer.assessment_id, []).append(answer)
    frozen = {
        s.assessment_id: s.data
        for s in Snapshot.objects.filter(assessment__in=cycles).order_by("created")
    }
    out = {}
    for cycle in cycles:
        applicable = [q for q in questions if cycle.partnership.nation in q.nations]
        if cycle.status == "signed_off" and cycle.pk in frozen:
            out[cycle.pk] = snapshots.read(frozen[cycle.pk]).result
        else:
            out[cycle.pk] = compute(
                cycle, applicable, answers.get(cycle.pk, []), timezone.localdate()
            )
    return out


_RESULTS = Template(
    "<html><body><h1>{{ assessment.title }}: {{ result.percentage }}% {{ result.rating }}</h1>"
    "{% for theme, entries in themes %}<section><h2>{{ theme.code }} {{ theme.percentage }}% "
    "{{ theme.rating }} ({{ theme.answered }} answered)</h2><ul>{% for q, question in entries %}"
    "<li>{{ q.code }} {{ question.text }}: {{ q.level }} {% for o in question.options.all %}"
    "{% if o.pk in question.answer.selected %}{{ o.label }}{% endif %}{% endfor %} "
    "{{ question.answer.evidence }} {% for r in question.references %}{{ r.section }} para "
    "{{ r.paragraph }} {% endfor %}</li>{% endfor %}</ul></section>{% endfor %}</body></html>"
)


def baseline_results(request, code):
    from assessment.models import Answer, Assessment

    assessment = Assessment.objects.select_related("partnership").get(code=code)
    _, questions = _framework(assessment.framework_id)
    answers = {a.question_id: a for a in Answer.objects.filter(assessment=assessment)}
    for question in questions:  # read by the bare template as an attribute of the question
        vars(question)["answer"] = answers.get(question.pk)
    result = _scores([assessment], questions)[assessment.pk]
    by_code = {q.code: q for q in questions}
    themes = [(t, [(q, by_code[q.code]) for q in t.questions]) for t in result.themes]
    context = {"assessment": assessment, "result": result, "themes": themes}
    return HttpResponse(_RESULTS.render(Context(context)))


_TREND = Template(
    "<html><body><h1>{{ assessment.partnership.name }}</h1><table><tr><th>Theme</th>"
    "{% for c in cycles %}<th>{{ c.title }}</th>{% endfor %}</tr><tr><th>Overall</th>"
    "{% for r in results %}<td>{{ r.percentage }}%</td>{% endfor %}</tr>{% for t in themes %}"
    "<tr><th>{{ t.order }}. {{ t.title }}</th>{% for r in results %}{% for rt in r.themes %}"
    "{% if rt.code == t.code %}<td>{{ rt.percentage }}%</td>{% endif %}{% endfor %}{% endfor %}"
    "</tr>{% endfor %}</table></body></html>"
)


def baseline_trend(request, code):
    from assessment.models import Assessment

    assessment = Assessment.objects.select_related("partnership").get(code=code)
    cycles = list(
        Assessment.objects.filter(
            partnership=assessment.partnership, period_end__lte=assessment.period_end
        )
        .select_related("partnership")
        .order_by("period_end")
    )
    themes, questions = _framework(assessment.framework_id)
    scores = _scores(cycles, questions)
    context = {
        "assessment": assessment,
        "cycles": cycles,
        "themes": themes,
        "results": [scores[c.pk] for c in cycles],
    }
    return HttpResponse(_TREND.render(Context(context)))


_COMPARE = Template(
    "<html><body><h1>{{ assessment.title }} and {{ previous.title }}</h1><table>"
    "{% for row in rows %}<tr><th>{{ row.0 }}</th><td>{{ row.1 }}%</td><td>{{ row.2 }}%</td>"
    "</tr>{% endfor %}</table><ul>{% for q in changed %}<li>{{ q.0 }}: {{ q.1 }} to {{ q.2 }}</li>"
    "{% endfor %}</ul></body></html>"
)


def baseline_compare(request, code):
    from assessment.models import Assessment

    assessment = Assessment.objects.select_related("partnership", "carried_from").get(code=code)
    previous = assessment.carried_from or (
        Assessment.objects.filter(
            partnership=assessment.partnership, period_end__lt=assessment.period_end
        )
        .order_by("-period_end")
        .first()
    )
    if previous is None:
        raise ValueError(f"{assessment.title}: the compare baseline needs an earlier cycle")
    previous.partnership = assessment.partnership
    _, questions = _framework(assessment.framework_id)
    scores = _scores([assessment, previous], questions)
    now, then = scores[assessment.pk], scores[previous.pk]
    before = {t.code: t for t in then.themes}
    rows = [(t.code, t.percentage, before[t.code].percentage) for t in now.themes]
    levels = {q.code: q.level for t in then.themes for q in t.questions}
    changed = [
        (q.code, levels.get(q.code), q.level)
        for t in now.themes
        for q in t.questions
        if levels.get(q.code) != q.level
    ]
    context = {"assessment": assessment, "previous": previous, "rows": rows, "changed": changed}
    return HttpResponse(_COMPARE.render(Context(context)))


_BENCHMARKS = Template(
    "<html><body>{% for q in questions %}<section><h2>{{ q.code }} {{ q.text }}</h2><table>"
    "<tr><th>Your partnership</th><td>{{ q.answer.numerator }} of {{ q.answer.denominator }}</td>"
    "</tr>{% for b in q.benchmarks.all %}<tr><th>{{ b.area }}</th><td>{{ b.value }}{{ b.unit }}"
    "</td><td>{{ b.denominator }}</td><td>{{ b.period }}</td><td>{{ b.reference.section }} para "
    "{{ b.reference.paragraph }}</td></tr>{% endfor %}</table></section>{% endfor %}</body></html>"
)


def baseline_benchmarks(request, code):
    from assessment.models import Answer, Assessment, Question

    assessment = Assessment.objects.get(code=code)
    questions = list(
        Question.objects.filter(
            theme__framework_id=assessment.framework_id, benchmarks__isnull=False
        )
        .distinct()
        .prefetch_related("benchmarks")
        .order_by("theme__order", "order")
    )
    answers = {a.question_id: a for a in Answer.objects.filter(assessment=assessment)}
    for question in questions:  # read by the bare template as an attribute of the question
        vars(question)["answer"] = answers.get(question.pk)
    return HttpResponse(_BENCHMARKS.render(Context({"questions": questions})))


_DASHBOARD = Template(
    "<html><body><h1>{{ partnership.name }}</h1><h2>{{ current.title }}: {{ result.percentage }}%"
    "</h2><ul>{% for t in result.themes %}<li>{{ t.code }} {{ t.percentage }}% {{ t.rating }} "
    "{{ t.answered }} of {{ t.scored_total }}</li>{% endfor %}</ul><table>{% for c, r in history %}"
    "<tr><th>{{ c.title }}</th><td>{{ r.percentage }}%</td></tr>{% endfor %}</table></body></html>"
)


def baseline_dashboard(request, code):
    from assessment.models import Assessment, Partnership

    partnership = Partnership.objects.get(code=code)
    cycles = list(
        Assessment.objects.filter(partnership=partnership)
        .select_related("partnership")
        .order_by("-period_end")
    )
    _, questions = _framework(cycles[0].framework_id)
    scores = _scores(cycles, questions)
    context = {
        "partnership": partnership,
        "current": cycles[0],
        "result": scores[cycles[0].pk],
        "history": [(c, scores[c.pk]) for c in reversed(cycles)],
    }
    return HttpResponse(_DASHBOARD.render(Context(context)))


urlpatterns = [
    path("bench/baseline/<uuid:code>/results", baseline_results),
    path("bench/baseline/<uuid:code>/benchmarks", baseline_benchmarks),
    path("bench/baseline/<uuid:code>/compare", baseline_compare),
    path("bench/baseline/<uuid:code>/trend", baseline_trend),
    path("bench/baseline/<uuid:code>/dashboard", baseline_dashboard),
    *urlpatterns,
]


# The moderation page of a theme given to three agencies (its bare view: tests/bench/moderation.py).
def _moderation_urls() -> list:
    from tests.bench.moderation import baseline_moderation

    return [path("bench/baseline/<uuid:code>/moderate/<str:theme>", baseline_moderation)]


urlpatterns = [*_moderation_urls(), *urlpatterns]
