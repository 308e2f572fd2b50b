"""How a question of a shared theme was settled, as plain data: what the results page, the
PDF and the snapshot (version 6) show of it. No queries: ``agency_views.settlements`` builds
these from live rows, ``snapshots`` reads them back."""

from dataclasses import dataclass

from assessment.models.partnership import Agency


def agency_label(code: str) -> str:
    return dict(Agency.choices).get(code, code or "The partnership")


@dataclass(frozen=True)
class Settlement:
    """Where the agencies disagreed on a question, and how the partnership settled it."""

    theme: str
    question: str
    text: str
    views: tuple[tuple[str, str], ...]  # (agency, reading of its submitted view)
    partnership: str
    disagreed: str  # why the views needed settling ("" when they did not disagree)
    note: str
    started_from: str
    moderated_by: str | None
    dissents: tuple[tuple[str, str], ...]  # (agency, why it disagrees)

    @property
    def line(self) -> str:
        """ "Police: established; Health: poor; partnership: developing. Why: …" """
        parts = [f"{agency_label(a)}: {reading}" for a, reading in self.views]
        line = "; ".join([*parts, f"partnership: {self.partnership}"])
        return f"{line}. Why: {self.note}" if self.note else line

    def as_data(self) -> dict:
        return {
            "theme": self.theme,
            "question": self.question,
            "text": self.text,
            "views": [[a, r] for a, r in self.views],
            "partnership": self.partnership,
            "disagreed": self.disagreed,
            "note": self.note,
            "started_from": self.started_from,
            "moderated_by": self.moderated_by,
            "dissents": [[a, t] for a, t in self.dissents],
        }


def read_settlement(data: dict) -> Settlement:
    return Settlement(
        theme=data.get("theme", ""),
        question=data.get("question", ""),
        text=data.get("text", ""),
        views=tuple((a, r) for a, r in data.get("views", [])),
        partnership=data.get("partnership", ""),
        disagreed=data.get("disagreed", ""),
        note=data.get("note", ""),
        started_from=data.get("started_from", ""),
        moderated_by=data.get("moderated_by"),
        dissents=tuple((a, t) for a, t in data.get("dissents", [])),
    )
