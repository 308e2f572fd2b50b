"""The charts read back as SVG text: every label on its own bar and matching its row's value,
text large enough at the size it is shown, line charts of at most five named lines.

The benchmark checks run for every question with benchmarks in every framework file in
fixtures/frameworks/, on the web page and in the PDF, against the figures in the database.
"""

import base64
import itertools
import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from assessment import charts, pdf
from assessment.frameworks import load, read
from assessment.models import Answer, Benchmark, Question
from tests.factories import found, make_assessment

SVG = "{http://www.w3.org/2000/svg}"
BANKS = sorted((Path(settings.BASE_DIR) / "fixtures" / "frameworks").glob("*.yaml"))
HALF_COLUMN_PX = 450  # a GOV.UK one-half column on a desktop screen
PDF_TEXT_COLUMN_PT = (210 - 2 * 18) / 25.4 * 72  # A4 less the report's side margins


def parse(svg: str | bytes) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own charts, drawn in this process


def svg_of(uri: str) -> ET.Element:
    return parse(base64.b64decode(uri.split(",", 1)[1]))


def points(length: str) -> float:
    return float(length.removesuffix("pt"))


def smallest_font(svg: ET.Element) -> float:
    sizes = [
        float(size)
        for element in svg.iter(f"{SVG}text")
        for size in re.findall(r"font-size: ([\d.]+)px", element.get("style", ""))
    ]
    assert sizes, "no text in the chart"
    return min(sizes)


def group(svg: ET.Element, gid: str) -> ET.Element | None:
    return next((g for g in svg.iter(f"{SVG}g") if g.get("id") == gid), None)


def group_of(svg: ET.Element, gid: str) -> ET.Element:
    found_group = group(svg, gid)
    assert found_group is not None, f"no group {gid!r} in the chart"
    return found_group


def child(element: ET.Element, tag: str) -> ET.Element:
    found_child = element.find(f"{SVG}{tag}")
    assert found_child is not None, f"no {tag} in {element.get('id')}"
    return found_child


def attribute(element: ET.Element, name: str) -> str:
    value = element.get(name)
    assert value is not None, f"no {name} on {element.tag}"
    return value


def text_of(element: ET.Element) -> str:
    return " ".join(t.text or "" for t in element.iter(f"{SVG}text"))


def bar_rows(svg: ET.Element) -> list[dict]:
    """Each row's label, value text, the value's baseline and the bar's top, bottom and width."""
    rows: list[dict] = []
    while (label := group(svg, f"label-{len(rows)}")) is not None:
        index = len(rows)
        value = child(group_of(svg, f"value-{index}"), "text")
        path = attribute(child(group_of(svg, f"bar-{index}"), "path"), "d")
        xs = [float(x) for x in re.findall(r"[ML] ([-\d.]+) [-\d.]+", path)]
        ys = [float(y) for y in re.findall(r"[ML] [-\d.]+ ([-\d.]+)", path)]
        rows.append(
            {
                "label": text_of(label),
                "text": value.text,
                "y": baseline(value),
                "top": min(ys),
                "bottom": max(ys),
                "width": max(xs) - min(xs),
                "label_bottom": max(baseline(t) for t in label.iter(f"{SVG}text")),
            }
        )
    return rows


def baseline(text: ET.Element) -> float:
    """A text's y: an attribute for one line, a translation for each line of several."""
    if text.get("y") is not None:
        return float(attribute(text, "y"))
    return float(found(r"translate\([-\d.]+ ([-\d.]+)\)", attribute(text, "transform"))[1])


def number_in(text: str) -> float:
    return float(found(r"-?\d+(?:\.\d+)?", text.replace(",", ""))[0])


def expected_value(benchmark: Benchmark) -> float:
    """The area's figure in the partnership's unit, worked out here from the stored figure."""
    question, value = benchmark.question, float(benchmark.value)
    per = (question.indicator or {}).get("per", 100)
    if question.kind == "indicator" and benchmark.unit == "percent":
        return value * per / 100
    if question.kind == "indicator" and benchmark.denominator:
        return per * value / benchmark.denominator
    return value


def check_bar_chart(svg: ET.Element, question: Question, ours: float, code: str) -> None:
    rows = bar_rows(svg)
    benchmarks = list(question.benchmarks.order_by("order"))
    assert len(rows) == 1 + len(benchmarks), code
    assert rows[0]["label"] == "Your partnership", code
    assert number_in(rows[0]["text"]) == pytest.approx(ours, abs=0.051), code
    matched = set()
    for row in rows[1:]:
        # The row's label names its area and period (and its unit when that is what differs).
        candidates = [
            b
            for b in benchmarks
            if b.area in row["label"]
            and (b.period or "") in row["label"]
            and b.pk not in matched
            and (
                sum(1 for o in benchmarks if (o.area, o.period) == (b.area, b.period)) == 1
                or b.unit in row["label"]
            )
        ]
        assert len(candidates) == 1, (code, row["label"])
        benchmark = candidates[0]
        matched.add(benchmark.pk)
        assert number_in(row["text"]) == pytest.approx(expected_value(benchmark), abs=0.051), (
            code,
            row["label"],
            row["text"],
        )
    scale = {round(r["width"] / number_in(r["text"]), 3) for r in rows if number_in(r["text"])}
    assert len({round(s, 1) for s in scale}) <= 1, (code, "bars not drawn to one scale")
    for row in rows:
        # The value is written on its own bar's line, below its own label.
        assert row["top"] <= row["y"] <= row["bottom"] + 4, (code, row)
        assert row["label_bottom"] < row["top"], (code, row)
    for above, below in itertools.pairwise(rows):
        assert above["bottom"] < below["top"], code


@pytest.fixture(params=BANKS, ids=lambda path: path.stem)
def bank_assessment(request, db, alice, partnership_a):
    framework, _ = load(read(request.param))
    assessment = make_assessment(partnership_a, framework)
    ours = {}
    questions = Question.objects.filter(
        theme__framework=framework, kind__in=["indicator", "count"], benchmarks__isnull=False
    ).distinct()
    for index, question in enumerate(questions):
        if not question.applies_to(partnership_a.nation):
            continue
        answer = Answer(assessment=assessment, question=question, evidence="Audit")
        if question.kind == "indicator":
            answer.numerator, answer.denominator = 7 + index, 40 + 3 * index
            ours[question.code] = question.per * answer.numerator / answer.denominator
        else:
            answer.number = 2 + index
            ours[question.code] = answer.number
        answer.period_start, answer.period_end = date(2024, 4, 1), date(2025, 3, 31)
        answer.save()
    assert ours, "the bank has benchmarks"
    return assessment, ours


def test_every_benchmark_chart_on_the_web_page_labels_each_bar_with_its_own_value(
    client, alice, bank_assessment
):
    assessment, ours = bank_assessment
    client.force_login(alice)
    html = client.get(f"/assessments/{assessment.code}/benchmarks").content.decode()
    for code, value in ours.items():
        section = html[html.index(f'<section class="govuk-summary-card" id="{code}"') :]
        uri = found(r'<img class="app-chart" src="([^"]+)"', section)[1]
        svg = svg_of(uri)
        question = Question.objects.get(theme__framework=assessment.framework, code=code)
        check_bar_chart(svg, question, value, code)
        # At its natural size it fits a half column, so its text is shown at 14 px or more.
        width_px = points(attribute(svg, "width")) * 4 / 3
        assert width_px <= HALF_COLUMN_PX, code
        assert smallest_font(svg) * 4 / 3 >= 14, code


def test_every_benchmark_chart_in_the_pdf_labels_each_bar_with_its_own_value(bank_assessment):
    assessment, ours = bank_assessment
    context = pdf.report_context(assessment)
    rows = {row.question.code: row for theme in context["themes"] for row in theme["benchmarks"]}
    assert set(rows) == set(ours)
    for code, value in ours.items():
        svg = svg_of(rows[code].chart)
        check_bar_chart(svg, rows[code].question, value, code)
        # Shown at its own size (it fits the text column), so its text is at least 9 pt.
        assert points(attribute(svg, "width")) <= PDF_TEXT_COLUMN_PT, code
        assert smallest_font(svg) >= 9, code
    html = pdf.render_html(assessment)
    assert "width: 125mm" not in context["css"]  # not stretched or shrunk to a set width
    assert html.count('class="chart"') >= len(ours)


def test_two_figures_for_one_area_are_two_labelled_rows():
    bars = [
        charts.Bar("Your partnership", 20.0, "20%", highlight=True),
        charts.Bar("St Helens, 2017/18", 14.0, "14%"),
        charts.Bar("St Helens, 2018/19", 11.0, "11%"),
    ]
    rows = bar_rows(parse(charts.horizontal_bars(bars)))
    assert [(r["label"], r["text"]) for r in rows] == [
        ("Your partnership", "20%"),
        ("St Helens, 2017/18", "14%"),
        ("St Helens, 2018/19", "11%"),
    ]
    assert rows[1]["top"] > rows[0]["bottom"] and rows[2]["top"] > rows[1]["bottom"]


def test_a_line_chart_names_each_line_and_refuses_more_than_five():
    series: dict[str, list[float | None]] = {
        f"Theme {i}": [10.0 * i, 10.0 * i + 5] for i in range(1, 6)
    }
    svg = parse(charts.lines(series, ["2024", "2025"]))
    names = [text_of(group_of(svg, f"name-{i}")) for i in range(5)]
    assert names == list(series)
    assert smallest_font(svg) * 4 / 3 >= 14
    assert points(attribute(svg, "width")) <= PDF_TEXT_COLUMN_PT
    with pytest.raises(ValueError, match="6 lines in one chart"):
        charts.lines({**series, "Overall": [1.0, 2.0]}, ["2024", "2025"])


def test_ten_lines_become_two_charts_of_five():
    series = {"Overall": [50.0]} | {f"{i}. Theme {i}": [float(i)] for i in range(1, 10)}
    groups = charts.in_groups(series)
    assert [len(g) for g in groups] == [5, 5] and "Overall" in groups[0]


def test_a_changed_figure_shows_at_once_on_the_case_study_areas_page(
    client, alice, bank_assessment
):
    """Each indicator's card is rendered once per content: a new figure is a new card."""
    assessment, ours = bank_assessment
    code = next(c for c in ours if Question.objects.filter(code=c, kind="indicator").exists())
    client.force_login(alice)
    url = f"/assessments/{assessment.code}/benchmarks"

    def card() -> str:
        html = client.get(url).content.decode()
        section = html[html.index(f'<section class="govuk-summary-card" id="{code}"') :]
        return section[: section.index("</section>")]

    before = card()
    assert card() == before  # reused
    answer = Answer.objects.get(assessment=assessment, question__code=code)
    answer.numerator, answer.denominator = 7, 987
    answer.save()
    after = card()
    assert after != before and ">987</td>" in after  # the new "out of" figure, and its chart
    assert found(r'src="([^"]+)"', after)[1] != found(r'src="([^"]+)"', before)[1]
