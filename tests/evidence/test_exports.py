"""Evidence in the JSON export and import, and in the CSV of answers."""

import csv
import io
import json
from datetime import date

import pytest

from assessment import exports
from assessment.models import AnswerEvidence, EvidenceItem, Question
from tests.factories import make_assessment, prepared, sign_off_as_is
from tests.views.test_results import answer_all

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def attached(alice, partnership_a):
    assessment = make_assessment(partnership_a)
    answer_all(assessment, alice, {"AA-01": "good", "AA-02": "poor"})
    linked = EvidenceItem.objects.create(
        partnership=partnership_a,
        title="Panel minutes, March 2025",
        kind="minutes",
        agency="police",
        produced=date(2025, 3, 20),
        review_by=date(2026, 3, 20),
        link="https://intranet.example.org/minutes",
    )
    filed = EvidenceItem.objects.create(
        partnership=partnership_a,
        title="Case audit 2024",
        kind="audit_report",
        agency="health",
        produced=date(2024, 11, 1),
        period_start=date(2024, 4, 1),
        period_end=date(2024, 9, 30),
        file="evidence/x/y",
        file_name="audit.pdf",
        sha256="a" * 64,
    )
    for code, item in (("AA-01", linked), ("AA-01", filed), ("AA-02", linked)):
        question = Question.objects.get(theme__framework=assessment.framework, code=code)
        AnswerEvidence.objects.create(assessment=assessment, question=question, item=item)
    return assessment


def test_the_json_export_carries_each_items_metadata_and_hash(attached):
    data = exports.export_assessment(attached)
    first = next(a for a in data["answers"] if a["question"] == "AA-01")
    assert [(e["title"], e["sha256"], e["link"]) for e in first["evidence_items"]] == [
        ("Panel minutes, March 2025", None, "https://intranet.example.org/minutes"),
        ("Case audit 2024", "a" * 64, None),
    ]
    assert first["evidence_items"][1]["period_end"] == "2024-09-30"


def test_the_csv_of_answers_lists_item_titles_and_dates(client, alice, attached, immediate_tasks):
    client.force_login(alice)
    response, body = prepared(client, attached, "answers.csv")
    assert response.status_code == 200
    text = body.decode()
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    column = rows[0].index("Evidence items")
    assert rows[1][column] == (
        "Panel minutes, March 2025 (produced 2025-03-20, review by 2026-03-20); "
        "Case audit 2024 (produced 2024-11-01, covers 2024-04-01 to 2024-09-30)"
    )


def test_an_import_reattaches_items_the_partnership_holds_and_recreates_links(
    alice, attached, partnership_b, charlie
):
    data = json.loads(json.dumps(exports.export_assessment(attached)))
    sign_off_as_is(attached, alice)
    # Into the same partnership: both items are held, so both are attached again.
    left_out: list[str] = []
    again = exports.import_assessment(
        data, partnership=attached.partnership, user=alice, left_out=left_out
    )
    assert left_out == []
    assert AnswerEvidence.objects.filter(assessment=again).count() == 3
    assert EvidenceItem.objects.filter(partnership=attached.partnership).count() == 2
    # Into another partnership: the link is created once, the file is left out and named.
    data["answers"] = [a for a in data["answers"] if a["question"] != "AA-03"]  # England only
    elsewhere = exports.import_assessment(
        data, partnership=partnership_b, user=charlie, left_out=left_out
    )
    theirs = EvidenceItem.objects.get(partnership=partnership_b)
    assert theirs.link == "https://intranet.example.org/minutes" and theirs.created_by == charlie
    assert AnswerEvidence.objects.filter(assessment=elsewhere).count() == 2
    assert left_out == ["Case audit 2024"]


def test_an_import_names_a_bad_evidence_item(attached, partnership_b, charlie):
    data = json.loads(json.dumps(exports.export_assessment(attached)))
    data["answers"][0]["evidence_items"][0]["kind"] = "rumour"
    with pytest.raises(exports.ImportProblem) as error:
        exports.import_assessment(data, partnership=partnership_b, user=charlie)
    assert any(
        p.startswith("answers[0] (AA-01).evidence_items[0].kind: must be one of")
        for p in error.value.problems
    )


def test_the_zip_export_holds_the_json_and_each_evidence_file(
    client, alice, bob, charlie, immediate_tasks
):
    """Made by a worker behind the page that waits for it, as the other exports are."""
    import hashlib
    import zipfile

    from django.core.files.base import ContentFile

    from assessment.evidence import simple_pdf

    partnership = alice.memberships.get().partnership
    assessment = make_assessment(partnership)
    answer_all(assessment, alice, {"AA-01": "good"})
    content = simple_pdf(["Audit"])
    item = EvidenceItem(
        partnership=partnership,
        title="Case audit 2024",
        kind="audit_report",
        agency="health",
        produced=date(2024, 11, 1),
        file_name="audit.pdf",
        sha256=hashlib.sha256(content).hexdigest(),
    )
    item.file.save("audit.pdf", ContentFile(content), save=True)
    question = Question.objects.get(theme__framework=assessment.framework, code="AA-01")
    AnswerEvidence.objects.create(assessment=assessment, question=question, item=item)
    client.force_login(bob)  # a viewer of the partnership
    # Before a worker has made it, the download sends the person to the page that waits.
    first = client.get(f"/assessments/{assessment.code}/export.zip")
    assert first.status_code == 302 and first["Location"].endswith("/export-with-evidence")
    response, body = prepared(client, assessment, "export.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].endswith('export-with-evidence.zip"')
    assert response["X-Content-SHA256"] == hashlib.sha256(body).hexdigest()
    assert (
        "no-store" in response["Cache-Control"] and response["X-Content-Type-Options"] == "nosniff"
    )
    archive = zipfile.ZipFile(io.BytesIO(body))
    names = archive.namelist()
    assert names == ["export.json", f"evidence/{item.code}/Case-audit-2024.pdf"]
    stored = archive.read(names[1])
    data = json.loads(archive.read("export.json"))
    assert hashlib.sha256(stored).hexdigest() == data["answers"][0]["evidence_items"][0]["sha256"]
    client.force_login(charlie)
    assert client.get(f"/assessments/{assessment.code}/export.zip").status_code == 404
    assert client.get(f"/assessments/{assessment.code}/export-with-evidence").status_code == 404
