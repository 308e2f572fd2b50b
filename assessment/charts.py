"""Charts as deterministic SVG (matplotlib), embedded as data: URIs so a strict CSP allows them.

Every chart is shown beside a table of the same figures; the ``alt`` text summarises it.
Matplotlib is imported on first use: most requests draw no chart.
"""

import base64
import hashlib
import io
import logging
from collections.abc import Callable
from functools import cache

from django.core.cache import cache as django_cache
from django.db.models import Model

# Colours from the GOV.UK palette; bars also carry their value as text, never colour alone.
BLUE, GREY, DARK = "#1d70b8", "#b1b4b6", "#0b0c0c"


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
            "font.size": 10,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
    import matplotlib.pyplot as plt

    return plt


def _svg(figure) -> str:
    buffer = io.StringIO()
    figure.savefig(
        buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None}
    )
    _pyplot().close(figure)
    return buffer.getvalue()


def data_uri(svg: str) -> str:
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
    digests = [
        "chart:"
        + hashlib.sha256(
            f"{draw.__module__}.{draw.__qualname__}:{_fingerprint((args, kwargs))}".encode()
        ).hexdigest()
        for draw, args, kwargs in calls
    ]
    found = django_cache.get_many(digests)
    missing = {}
    for digest, (draw, args, kwargs) in zip(digests, calls, strict=True):
        if digest not in found and digest not in missing:
            missing[digest] = draw(*args, **kwargs)
    if missing:
        django_cache.set_many(missing, 60 * 60 * 24 * 30)
    return [found.get(digest) or missing[digest] for digest in digests]


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


def horizontal_bars(
    rows: list[tuple[str, float | None]],
    *,
    unit: str = "%",
    highlight: str | None = None,
    limit: float | None = 100,
) -> str:
    """One bar per row (label, value); rows without a value are drawn empty and labelled."""
    plt = _pyplot()
    height = 0.45 * len(rows) + 0.8
    figure, axes = plt.subplots(figsize=(7, height))
    labels = [label for label, _ in rows][::-1]
    values = [value or 0 for _, value in rows][::-1]
    colours = [BLUE if label == highlight or highlight is None else GREY for label in labels]
    axes.barh(labels, values, color=colours)
    for y, (_, value) in enumerate(rows[::-1]):
        text = "no figure" if value is None else f"{value:.0f}{unit}"
        axes.text(
            (value or 0) + (limit or max(values or [1])) * 0.01, y, text, va="center", color=DARK
        )
    if limit:
        axes.set_xlim(0, limit * 1.12)
    axes.tick_params(axis="y", length=0)
    return _svg(figure)


def lines(series: dict[str, list[float | None]], labels: list[str], *, unit: str = "%") -> str:
    """One line per series across the cycles in ``labels``; gaps where a cycle has no value."""
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(7, 3.6))
    markers = "osD^v<>ph*"
    for index, (name, values) in enumerate(series.items()):
        points = [(x, v) for x, v in enumerate(values) if v is not None]
        if points:
            xs, ys = zip(*points, strict=True)
            axes.plot(
                xs,
                ys,
                marker=markers[index % len(markers)],
                label=name,
                linewidth=2 if index == 0 else 1,
            )
    axes.set_xticks(range(len(labels)), labels)
    axes.set_ylim(0, 100 if unit == "%" else None)
    axes.set_ylabel(unit)
    if axes.get_legend_handles_labels()[0]:
        axes.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False, fontsize=8)
    else:
        axes.text(0.5, 0.5, "No scores yet", transform=axes.transAxes, ha="center", color=DARK)
    return _svg(figure)


def benchmark(row: dict) -> str:
    """The bar chart of one indicator beside the case study areas (rows from results.benchmark_rows)."""
    unit = row["unit"]
    return horizontal_bars(
        row["bars"], unit=unit, highlight="Your partnership", limit=100 if unit else None
    )


def benchmark_alt(row: dict) -> str:
    return f"Bar chart for {row['question'].code}: " + "; ".join(
        f"{label} {value:g}{row['unit']}" if value is not None else f"{label} no figure"
        for label, value in row["bars"]
    )
