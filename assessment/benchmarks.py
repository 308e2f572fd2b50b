"""The partnership's own figures beside the case study areas': one page model for the
benchmarks page and the PDF, with the chart's bars, the table's rows and plain sentences.

Only a figure that is like-for-like with the question (``comparable``) and has a direction of
better from the report is ranked ("better than Durham"). Every other figure is context: shown
with what it covers in words, never in a "better than" sentence.
"""

from dataclasses import dataclass, field

from assessment import charts, scoring
from assessment.charts import Bar, number_text
from assessment.models import Answer, Benchmark, Question
from assessment.results import Scored
from assessment.snapshots import RecordedAnswer

OURS = "Your partnership"
# What a figure covers, in words that finish "counted for ...".
SCOPE_WORDS = {
    "local_authority": "a local authority area",
    "police_force": "a whole police force area",
    "basic_command_unit": "one police basic command unit",
    "region": "a whole region",
    "national": "England and Wales",
}


@dataclass
class Figure:
    """One row of the chart and the table: the partnership's figure or one area's."""

    label: str  # "St Helens, 2017/18": an area with two figures has two rows
    value: float | None  # in the partnership's unit (an indicator's rate)
    text: str  # as written in the chart, the table and the sentences
    benchmark: Benchmark | None = None  # None for the partnership's own
    ranked: bool = False

    @property
    def name(self) -> str:
        """How a sentence names the figure: "Durham (2019)"."""
        b = self.benchmark
        if b is None:
            return "yours"
        return f"{b.area} ({b.period})" if b.period else self.label

    @property
    def covers(self) -> str:
        """What a context figure covers, in words ("" for ours and for ranked figures)."""
        if self.benchmark is None or self.ranked:
            return ""
        b = self.benchmark
        parts = [f"counted for {SCOPE_WORDS[b.scope]}" if b.scope in SCOPE_WORDS else ""]
        if b.base:
            parts.append(f"counting {b.base}")
        why = (
            "not like for like with this question"
            if not b.comparable
            else "the report gives no direction of better"
        )
        return "; ".join(p for p in parts if p) + ("; " if any(parts) else "") + why


@dataclass
class BenchmarkRow:
    question: Question
    answer: Answer | RecordedAnswer | None
    ours: float | None
    direction: str  # of the ranked figures; "" when none is ranked
    figures: list[Figure]  # ours first, then ranked best first, then context in report order
    sentences: list[str] = field(default_factory=list)
    chart: str = ""  # data: URI, set by the page that draws it
    html: str = ""  # the card of the web page, set by the page that renders it
    key: str = ""

    @property
    def sentence(self) -> str:
        return " ".join(self.sentences)

    @property
    def areas(self) -> list[Figure]:
        return self.figures[1:]

    @property
    def bars(self) -> list[Bar]:
        return [
            Bar(
                f.label,
                f.value,
                f.text,
                highlight=f.benchmark is None,
                context=f.benchmark is not None and not f.ranked,
            )
            for f in self.figures
        ]

    @property
    def limit(self) -> float | None:
        return 100 if self.question.kind == "indicator" and self.question.per == 100 else None

    def draw(self) -> str:
        return charts.horizontal_bars(self.bars, limit=self.limit)

    @property
    def alt(self) -> str:
        return charts.benchmark_alt(self.bars, self.question.code)


def _ranked_value(figure: Figure) -> float:
    if figure.value is None:  # a case study area's figure always has a value
        raise ValueError(f"{figure.label}: a ranked figure needs a value")
    return figure.value


def partnership_figure(question: Question, answer: Answer | RecordedAnswer | None) -> float | None:
    if answer is None or answer.not_applicable:
        return None
    if question.kind == "indicator":
        return answer.rate
    if question.kind == "count":
        return None if answer.number is None else float(answer.number)
    return None


def benchmark_value(benchmark: Benchmark) -> float:
    """A case study figure in the unit of the partnership's own figure (an indicator's rate)."""
    question, value = benchmark.question, float(benchmark.value)
    if question.kind != "indicator":
        return value
    if benchmark.unit == "percent":
        return round(value * question.per / 100, 1)
    if benchmark.denominator:
        return round(question.per * value / benchmark.denominator, 1)
    return value


def _text(benchmark: Benchmark, value: float) -> str:
    question = benchmark.question
    if question.kind == "indicator" and (benchmark.unit == "percent" or benchmark.denominator):
        suffix = question.rate_unit  # converted to the partnership's rate
    else:
        suffix = f" {benchmark.unit}" if benchmark.unit else ""
    qualifier = benchmark.qualifier or ""
    if qualifier and qualifier not in "<>":
        qualifier += " "
    return f"{qualifier}{number_text(value)}{suffix}"


def _our_text(question: Question, ours: float | None, benchmarks: list[Benchmark]) -> str:
    if ours is None:
        return "no figure"
    if question.kind == "indicator":
        return number_text(ours) + question.rate_unit
    units = {b.unit for b in benchmarks}  # a count: in the areas' unit when they share one
    return number_text(ours) + (f" {units.pop()}" if len(units) == 1 else "")


def _labels(benchmarks: list[Benchmark]) -> list[str]:
    """Area and period; an area with two figures of one period is told apart by their units."""
    labels = [f"{b.area}, {b.period}" if b.period else b.area for b in benchmarks]
    return [
        f"{label} ({b.unit})" if labels.count(label) > 1 else label
        for label, b in zip(labels, benchmarks, strict=True)
    ]


def _period(answer: Answer | RecordedAnswer | None) -> str:
    if answer is None or not (answer.period_start and answer.period_end):
        return ""
    return f"{answer.period_start:%B %Y} to {answer.period_end:%B %Y}"


def _possessive(area: str) -> str:
    return f"{area}'" if area.endswith("s") else f"{area}'s"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def sentences(row: BenchmarkRow) -> list[str]:
    """What a board member can quote: our figure, each area's, how ours compares with the ranked
    ones and which way is better; then each context figure with what it covers."""
    ours, ranked = row.figures[0], [f for f in row.areas if f.ranked]
    period = _period(row.answer)
    out = [
        "Your partnership has not given this figure yet."
        if row.ours is None
        else f"Your partnership's figure is {ours.text}{f' ({period})' if period else ''}."
    ]
    for f in ranked:
        b = f.benchmark
        if b is None:  # only the partnership's own figure has none, and it is not ranked
            continue
        out.append(
            f"{_possessive(b.area)} figure was {f.text}{f' ({b.period})' if b.period else ''}."
        )
    if ranked and row.ours is not None:
        comparison = scoring.compare_with_benchmarks(
            row.ours, [(f.name, _ranked_value(f)) for f in ranked], row.direction
        )
        parts = []
        if comparison["better_than"]:
            parts.append(f"better than {_join(comparison['better_than'])}")
        if comparison["same_as"]:
            parts.append(f"the same as {_join(comparison['same_as'])}")
        if comparison["worse_than"]:
            parts.append(f"worse than {_join(comparison['worse_than'])}")
        out.append(f"Yours is {_join(parts)}.")
    if ranked:
        out.append("Lower is better." if row.direction == "lower" else "Higher is better.")
    for f in row.areas:
        if not f.ranked:
            out.append(f"For context only, not ranked: {f.label}, {f.text} ({f.covers}).")
    return out


def benchmark_rows(scored_assessment: Scored) -> list[BenchmarkRow]:
    questions = [q for q in scored_assessment.questions if q.kind in ("indicator", "count")]
    by_question: dict[int, list[Benchmark]] = {}
    for benchmark in (
        Benchmark.objects.filter(question__in=questions)
        .select_related("question")
        .order_by("order")
    ):
        by_question.setdefault(benchmark.question_id, []).append(benchmark)
    rows = []
    for question in questions:
        benchmarks = by_question.get(question.pk, [])
        if not benchmarks:
            continue
        answer = scored_assessment.answers.get(question.pk)
        ours = partnership_figure(question, answer)
        areas = [
            Figure(label, value, _text(b, value), b, ranked=b.comparable and bool(b.direction))
            for label, b in zip(_labels(benchmarks), benchmarks, strict=True)
            for value in [benchmark_value(b)]
        ]
        ranked = [f for f in areas if f.ranked]
        first = ranked[0].benchmark if ranked else None
        direction = first.direction if first else ""
        ranked.sort(key=_ranked_value, reverse=direction == "higher")
        mine = Figure(OURS, ours, _our_text(question, ours, benchmarks))
        row = BenchmarkRow(
            question, answer, ours, direction, [mine, *ranked, *(f for f in areas if not f.ranked)]
        )
        row.sentences = sentences(row)
        rows.append(row)
    return rows
