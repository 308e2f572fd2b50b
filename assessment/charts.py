"""Charts as deterministic SVG (matplotlib), embedded as data: URIs so a strict CSP allows them.

Every chart is shown beside a table of the same figures; the ``alt`` text summarises it.
Matplotlib is imported on first use: most requests draw no chart.
"""

import base64
import hashlib
import io
import logging
import textwrap
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache, partial

from django.core.cache import cache as django_cache
from django.db.models import Model

# Colours from the GOV.UK palette; bars also carry their value as text, never colour alone.
BLUE, GREY, PALE, DARK = "#1d70b8", "#b1b4b6", "#f3f2f1", "#0b0c0c"
# Charts are drawn at the size they are shown, with 11 pt text: 14.7 px on screen (a bar chart
# fits a half column, 450 px, unscaled) and 11 pt in the PDF (both widths fit its text column).
FONT = 11
WIDTH = 4.6  # inches: 442 px
LINES_WIDTH = 6.5  # inches: 624 px, 468 pt, for the full-width line charts
LINE, BAR, GAP = 0.2, 0.26, 0.12  # inches: a line of label text, a bar, the space after it
LABEL_CHARACTERS = 48  # wrap longer labels: 48 characters of 11 pt text fit in 4.6 inches
# Lines: black, blue, green, red, purple from the GOV.UK palette, each with its own marker.
LINE_COLOURS = ("#0b0c0c", "#1d70b8", "#00703c", "#d4351c", "#4c2c92")


@cache
def _pyplot():
    import matplotlib

    # Liberation Sans has Arial's metrics (Debian's fonts-liberation); DejaVu ships with matplotlib.
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)

    matplotlib.use("Agg")
    matplotlib.rcParams.update(
        {
            "svg.fonttype": "none",  # text stays text: searchable, and smaller
            "svg.hashsalt": "assessment",  # stable ids: the same data gives the same bytes
            # Titles are people's words: "$...$" in one is text, never TeX (a bad command in an
            # assessment's title broke every chart and PDF of its partnership).
            "text.parse_math": False,
            "font.family": "sans-serif",
            "font.sans-serif": ["Liberation Sans", "DejaVu Sans"],
            "font.size": FONT,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
    import matplotlib.pyplot as plt

    return plt


def load() -> None:
    """Import matplotlib now rather than in the first request that draws a chart (about 1.4 s
    on a 2-core machine, paid by each web server process): wsgi.py calls it at start."""
    _pyplot()


def _svg(figure) -> str:
    buffer = io.StringIO()
    # No tight bounding box: the SVG keeps the size it was laid out for (see WIDTH).
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    _pyplot().close(figure)
    return buffer.getvalue()


@lru_cache(maxsize=256)
def data_uri(svg: str) -> str:
    # The same drawing comes back as the same string object (``_RECENT``): its hash is kept.
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def cached(draw: Callable[..., str], *args, **kwargs) -> str:
    """``draw(*args, **kwargs)``, drawn once for the same arguments (see ``cached_many``)."""
    return cached_many([(draw, args, kwargs)])[0]


def cached_many(calls: list[tuple[Callable[..., str], tuple, dict]]) -> list[str]:
    """Several charts, each ``(draw, args, kwargs)``, fetched and stored in one round trip each.

    The cache key is the drawing function and every argument it is given, so it covers
    everything drawn: titles and labels as well as the figures. (A key built from the scores
    alone once showed one partnership's titles in another's report.)
    """
    return cached_by_key(
        [
            (
                f"{draw.__module__}.{draw.__qualname__}:{_fingerprint((args, kwargs))}",
                partial(draw, *args, **kwargs),
            )
            for draw, args, kwargs in calls
        ]
    )


# Most recently used drawings of this process, by digest. A digest stands for everything drawn
# (see ``cached_many``), so the same digest is the same bytes for any partnership: keeping them
# here spares the shared cache's round trip and unpickling of large SVGs on every page.
_RECENT: "OrderedDict[str, str]" = OrderedDict()
RECENT_LIMIT = 512


def cached_by_key(items: list[tuple[str, Callable[[], str]]]) -> list[str]:
    """``make()`` of each ``(key, make)``, made once for the same key: ``key`` must be a text
    that changes whenever anything ``make`` puts in its output does (``_fingerprint`` of every
    input). Looked up in this process's recent drawings, then in the shared cache."""
    digests = ["chart:" + hashlib.sha256(key.encode()).hexdigest() for key, _ in items]
    found = {d: _RECENT[d] for d in digests if d in _RECENT}
    wanted = [d for d in digests if d not in found]
    if wanted:
        found |= django_cache.get_many(wanted)
    missing = {}
    for digest, (_, make) in zip(digests, items, strict=True):
        if digest not in found and digest not in missing:
            missing[digest] = make()
    if missing:
        django_cache.set_many(missing, 60 * 60 * 24 * 30)
    out = [found.get(digest) or missing[digest] for digest in digests]
    for digest, value in zip(digests, out, strict=True):
        _RECENT[digest] = value
        _RECENT.move_to_end(digest)
    while len(_RECENT) > RECENT_LIMIT:
        _RECENT.popitem(last=False)
    return out


def fingerprint(value: object) -> str:
    """A text that changes whenever anything in ``value`` does, model rows included: the key
    of a drawing made from ``value`` (``cached_by_key``)."""
    return _fingerprint(value)


def _fingerprint(value) -> str:
    """A text that changes whenever anything in ``value`` does, model rows included."""
    if isinstance(value, dict):
        return "{" + ",".join(f"{k!r}:{_fingerprint(v)}" for k, v in sorted(value.items())) + "}"
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        return "[" + ",".join(_fingerprint(v) for v in items) + "]"
    if isinstance(value, Model):
        fields = {f.attname: getattr(value, f.attname) for f in value._meta.concrete_fields}
        return f"{value._meta.label}{_fingerprint(fields)}"
    return repr(value)


@dataclass(frozen=True)
class Bar:
    """One row of a bar chart: its label above the bar, its value written at the bar's end."""

    label: str
    value: float | None
    text: str  # the value as written, e.g. "over 40%"; "no figure" when there is none
    highlight: bool = False  # the partnership's own figure
    context: bool = False  # shown for context, never ranked


def number_text(value: float) -> str:
    """14.0 -> "14", 14.25 -> "14.2": the same digits in the chart, its table and sentences."""
    return f"{value:.1f}".removesuffix(".0")


def percent_bars(rows: list[tuple[str, float | None]], empty: str = "no score") -> list[Bar]:
    return [
        Bar(label, value, empty if value is None else f"{number_text(value)}%")
        for label, value in rows
    ]


def horizontal_bars(bars: list[Bar], *, limit: float | None = 100) -> str:
    """One labelled bar per row, drawn the same size it is shown (see ``WIDTH``).

    Each row has its label above its bar and its value at the bar's end, so two figures for one
    area never share a line. The SVG marks each row's parts (``label-N``, ``bar-N``, ``value-N``)
    so tests can check that every value sits on its own bar.
    """
    plt = _pyplot()
    wrapped = [_wrap(bar.label, LABEL_CHARACTERS) or [""] for bar in bars]
    height = sum(len(lines) * LINE + BAR + GAP for lines in wrapped) + GAP
    figure = plt.figure(figsize=(WIDTH, height))
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_axis_off()
    values = [bar.value or 0 for bar in bars]
    # The scale leaves room after every bar for its value, written at about 0.56 em a character.
    width, pad = WIDTH * 72, 4
    top = max(
        [limit or max([*values, 1])]
        + [
            value * width / max(width - pad - len(bar.text) * FONT * 0.56, width / 4)
            for bar, value in zip(bars, values, strict=True)
        ]
    )
    axes.set_xlim(0, top)
    axes.set_ylim(height, 0)  # y in inches from the top, so rows are laid out exactly
    y = GAP / 2
    for index, (bar, lines) in enumerate(zip(bars, wrapped, strict=True)):
        axes.text(0, y, "\n".join(lines), va="top", color=DARK, gid=f"label-{index}")
        y += len(lines) * LINE
        middle = y + BAR / 2
        colour = BLUE if bar.highlight else (PALE if bar.context else GREY)
        drawn = axes.barh(middle, bar.value or 0, height=BAR * 0.8, color=colour)
        drawn.patches[0].set_gid(f"bar-{index}")
        if bar.context:
            drawn.patches[0].set_hatch("//")
            drawn.patches[0].set_edgecolor(GREY)
        axes.text(
            (bar.value or 0) + top * pad / width,
            middle,
            bar.text,
            va="center",
            color=DARK,
            gid=f"value-{index}",
        )
        y += BAR + GAP
    return _svg(figure)


def _wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` characters, broken only between words."""
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)


MAX_LINES = 5  # more lines than this cannot be told apart or labelled directly


def in_groups(series: dict[str, list], size: int = MAX_LINES) -> list[dict[str, list]]:
    """Series split into charts of at most ``size`` lines, in order (the first keeps "Overall")."""
    items = list(series.items())
    return [dict(items[i : i + size]) for i in range(0, len(items), size)]


def lines(series: dict[str, list[float | None]], labels: list[str], *, unit: str = "%") -> str:
    """One line per series across the cycles in ``labels``, each named at its last point (no
    legend to match by colour); gaps where a cycle has no value. At most ``MAX_LINES``."""
    if len(series) > MAX_LINES:
        raise ValueError(f"{len(series)} lines in one chart; split them with in_groups")
    plt = _pyplot()
    from matplotlib import transforms

    figure, axes = plt.subplots(figsize=(LINES_WIDTH, 3.8))
    figure.subplots_adjust(left=0.1, right=0.6, bottom=0.2, top=0.95)
    markers = "osD^v"
    ends = []
    for index, (name, values) in enumerate(series.items()):
        points = [(x, v) for x, v in enumerate(values) if v is not None]
        if not points:
            continue
        xs, ys = zip(*points, strict=True)
        colour = LINE_COLOURS[index]
        axes.plot(xs, ys, marker=markers[index], color=colour, linewidth=2.5 if index == 0 else 1.5)
        ends.append([ys[-1], xs[-1], name, colour, index])
    # Names at the right edge, level with each line's last point, pushed apart so that none
    # overlaps another (9 points of the 0-100 scale a line of text) and kept within the scale.
    ends.sort()
    top = -100.0
    for end in ends:
        half = 4.5 * len(_wrap(end[2], 26))  # half the label's height on the scale
        end[0] = max(end[0], top + half + 1)
        top = end[0] + half
    overflow = max(0.0, top - 105)
    beside = transforms.blended_transform_factory(axes.transAxes, axes.transData)
    for y, _, name, colour, index in ends:
        axes.plot(
            [1.03], [y - overflow], marker=markers[index], color=colour, transform=beside,
            clip_on=False,
        )  # fmt: skip
        axes.text(
            1.06,
            y - overflow,
            "\n".join(_wrap(name, 26)),
            transform=beside,
            va="center",
            color=DARK,
            gid=f"name-{index}",
        )
    axes.set_xticks(range(len(labels)), ["\n".join(_wrap(t, 14)) for t in labels])
    axes.set_xlim(-0.2, max(len(labels) - 1, 0) + 0.2)
    axes.set_ylim(0, 100 if unit == "%" else None)
    axes.set_ylabel("Score (%)" if unit == "%" else unit)
    if not ends:
        axes.text(0.5, 0.5, "No scores yet", transform=axes.transAxes, ha="center", color=DARK)
    return _svg(figure)


def line_charts(series: dict[str, list[float | None]], labels: list[str]) -> list[tuple[str, str]]:
    """(data: URI, alt text) of each chart of at most five lines, cached (see ``cached_many``)."""
    groups = in_groups(series)
    svgs = cached_many([(lines, (group, labels), {}) for group in groups])
    return [
        (
            data_uri(svg),
            "Line chart of scores across cycles: "
            + "; ".join(
                f"{name}: " + ", ".join("none" if v is None else f"{v:.0f}%" for v in values)
                for name, values in group.items()
            ),
        )
        for svg, group in zip(svgs, groups, strict=True)
    ]


def benchmark_alt(bars: list[Bar], code: str) -> str:
    return f"Bar chart for {code}: " + "; ".join(f"{bar.label} {bar.text}" for bar in bars)
