"""Snapshots (assessment/snapshots.py): built with a schema version, read back as typed records
whatever their version, and checked against their fingerprint."""

import json
from pathlib import Path

import pytest
from django.utils.dateparse import parse_datetime

from assessment import pdf, snapshots
from assessment.models import Action, Comment, Snapshot, Status, Theme
from tests.factories import (
    make_assessment,
    make_framework,
    prepared,
    put_in_review,
    sign_off_by_board,
)
from tests.test_pdf import read as read_pdf
from tests.views.test_results import answer_all

pytestmark = pytest.mark.django_db

# Written by sign-off in the code of main at b29dc03, before snapshots had versions. Never edit
# it: it stands for every cycle signed off then, which must render for as long as they are kept.
V1 = json.loads((Path(__file__).parent / "fixtures" / "snapshot-v1.json").read_text())
# Written by sign-off in the last code that wrote version 2 (main merged into h15), before
# carry-over outcomes were recorded. Never edit it either.
V2 = json.loads((Path(__file__).parent / "fixtures" / "snapshot-v2.json").read_text())


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def signed_from_fixture(partnership, alice, fixture=V1):
    """A cycle signed off before snapshots had versions: only its stored snapshot remains."""
    framework = make_framework()
    assessment = make_assessment(
        partnership,
        framework,
        title=fixture["data"]["assessment"]["title"],
        status=Status.SIGNED_OFF,
        signed_off_by=alice,
        signed_off_at=parse_datetime(fixture["data"]["signed_off"]["at"]),
    )
    Snapshot.objects.create(
        assessment=assessment, signed_off_by=alice, data=fixture["data"], sha256=fixture["sha256"]
    )
    return assessment


def test_the_version_1_fixture_still_matches_its_fingerprint():
    assert snapshots.version_of(V1["data"]) == 1
    assert snapshots.digest(V1["data"]) == V1["sha256"]


def test_a_version_1_snapshot_reads_as_a_typed_record():
    record = snapshots.read(V1["data"])
    assert record.schema_version == 1 and record.comments is None
    assert record.result is not None
    assert record.result.theme("BB").percentage == pytest.approx(22.2, abs=0.1)
    assert record.result.question("AA-03").value == 30.0
    answer = next(a for a in record.answers if a.question == "AA-03")
    assert (answer.rate, answer.evidence) == (30.0, "System report")
    assert record.actions[0].due is not None
    assert record.actions[0].due.isoformat() == "2025-09-30" and record.actions[0].is_open
    assert record.signed_off_by == "alice@example.org"


def test_a_version_2_snapshot_reads_with_nothing_carried_over():
    assert snapshots.digest(V2["data"]) == V2["sha256"]
    record = snapshots.read(V2["data"])
    assert record.schema_version == 2 and record.comments is not None
    assert [c.text for c in record.comments] == ["Which audit?"]
    assert {(a.carry_outcome, a.confirmed_by) for a in record.answers} == {("", None)}


def test_sign_off_records_what_became_of_carried_answers(alice, partnership_a):
    from assessment.workflow import confirm_answers
    from tests.factories import start_next_cycle

    first = make_assessment(partnership_a)
    answer_all(first, alice, {"AA-01": "good", "AA-02": "poor", "BB-01": "established"})
    second = start_next_cycle(first, alice)
    confirm_answers(
        assessment=second, questions=[a.question for a in second.answers.all()], user=alice
    )
    from tests.factories import sign_off_as_is

    record = snapshots.read(sign_off_as_is(second, alice).data)
    assert {(a.carry_outcome, a.confirmed_by) for a in record.answers} == {
        ("confirmed", "alice@example.org")
    }


def test_an_unknown_version_is_refused_by_name():
    with pytest.raises(ValueError, match="version 99"):
        snapshots.read(dict(V1["data"], schema_version=99))


def test_sign_off_writes_the_current_version_with_comments_and_scores(alice, partnership_a):
    assessment = make_assessment(partnership_a)
    answer_all(assessment, alice, {"AA-01": "good", "AA-02": "poor"})
    theme = Theme.objects.get(framework=assessment.framework, code="AA")
    Comment.objects.create(assessment=assessment, theme=theme, author=alice, text="Which audit?")
    put_in_review(assessment)
    snapshot = sign_off_by_board(assessment, alice)
    assert snapshot.data["schema_version"] == snapshots.SCHEMA_VERSION == 7
    record = snapshots.read(snapshot.data)
    assert record.comments is not None and record.result is not None
    assert [(c.theme, c.text) for c in record.comments] == [("AA", "Which audit?")]
    assert record.result.question("AA-01").level == "good"
    assert snapshots.check(snapshot).ok


def test_the_results_page_renders_from_a_version_1_snapshot_alone(client, alice, partnership_a):
    assessment = signed_from_fixture(partnership_a, alice)
    client.force_login(alice)
    page = client.get(f"/assessments/{assessment.code}/results").content.decode()
    assert "38%" in page and "frozen when the self-assessment was signed off" in page


def test_the_comparison_and_trend_read_a_version_1_snapshot(client, alice, partnership_a):
    older = signed_from_fixture(partnership_a, alice)
    newer = make_assessment(
        partnership_a,
        older.framework,
        title="Self-assessment 2025 to 2026",
        period_start=older.period_end,
        period_end=older.period_end.replace(year=2026),
    )
    answer_all(newer, alice, {"AA-01": "good", "AA-02": "good", "BB-02": "good"})
    client.force_login(alice)
    page = client.get(f"/assessments/{newer.code}/compare?with={older.code}").content.decode()
    assert "Self-assessment 2024 to 2025" in page and "improved" in page
    trend = client.get(f"/assessments/{newer.code}/trend").content.decode()
    assert "38%" in trend


def test_the_pdf_renders_from_a_version_1_snapshot_alone(alice, partnership_a):
    assessment = signed_from_fixture(partnership_a, alice)
    _, text = read_pdf(pdf.render_pdf(assessment))
    assert "Audit missing ethnicity" in text and "Audit of AA-02" in text
    assert V1["sha256"] in text.replace("\n", "")
    assert not Action.objects.exists()


# Checking the fingerprint whenever a signed-off record is served ---------------------------


@pytest.fixture
def signed(alice, partnership_a):
    """Signed off; its report not rendered yet (the pages and exports do not need it)."""
    assessment = make_assessment(partnership_a)
    answer_all(assessment, alice, {"AA-01": "good", "AA-02": "poor"})
    put_in_review(assessment)
    sign_off_by_board(assessment, alice)
    return assessment


@pytest.fixture
def signed_with_report(signed):
    """Signed off, with the stored report a worker renders once sign-off is committed."""
    pdf.stored_report(signed)
    return signed


def tamper(assessment) -> None:
    snapshot = assessment.latest_snapshot
    data = dict(snapshot.data, answers=[])
    Snapshot.objects.filter(pk=snapshot.pk).update(data=data)


def test_each_signed_off_page_says_the_record_was_checked(client, alice, signed):
    client.force_login(alice)
    day = signed.signed_off_at.strftime("%-d %B %Y")
    for page in ("results", "benchmarks", "trend"):
        body = client.get(f"/assessments/{signed.code}/{page}").content.decode()
        assert f"Checked: this record is unchanged since sign-off on {day}." in body, page


def test_the_version_1_fixture_is_checked_on_its_results_page(client, alice, partnership_a):
    assessment = signed_from_fixture(partnership_a, alice)
    client.force_login(alice)
    page = client.get(f"/assessments/{assessment.code}/results").content.decode()
    assert "Checked: this record is unchanged since sign-off on 1 December 2026." in page


def test_a_changed_record_is_flagged_logged_and_its_report_refused(
    client, immediate_tasks, media, alice, signed_with_report, caplog
):
    signed = signed_with_report
    tamper(signed)
    client.force_login(alice)
    page = client.get(f"/assessments/{signed.code}/results").content.decode()
    assert "This record has changed since sign-off" in page and "Checked:" not in page
    assert "does not match its SHA-256" in caplog.text
    report = client.get(f"/assessments/{signed.code}/report.pdf")
    assert report.status_code == 409 and report["Content-Type"].startswith("text/html")
    assert "cannot be served" in report.content.decode()
    assert prepared(client, signed, "answers.csv")[0].status_code == 409
    exported = json.loads(prepared(client, signed, "export.json")[1])
    assert exported["snapshot"]["unchanged"] is False
    assert exported["snapshot"]["check"].startswith("This record has changed")


def test_a_changed_report_file_is_refused(client, alice, signed_with_report):
    signed = signed_with_report
    client.force_login(alice)
    assert client.get(f"/assessments/{signed.code}/report.pdf").status_code == 200
    stored = signed.latest_snapshot.reports.get(kind="report")
    with open(stored.file.path, "ab") as handle:
        handle.write(b"%% appended")
    assert client.get(f"/assessments/{signed.code}/report.pdf").status_code == 409


def test_an_unchanged_export_says_so(client, immediate_tasks, media, alice, signed):
    client.force_login(alice)
    exported = json.loads(prepared(client, signed, "export.json")[1])
    assert exported["snapshot"]["unchanged"] is True
    assert exported["snapshot"]["schema_version"] == snapshots.SCHEMA_VERSION


def test_the_partnership_page_reads_a_signed_off_current_cycle(client, alice, partnership_a):
    assessment = signed_from_fixture(partnership_a, alice)
    client.force_login(alice)
    page = client.get(f"/partnerships/{partnership_a.code}/")
    assert page.status_code == 200 and assessment.title in page.content.decode()


def test_a_critical_question_not_answered_is_kept_in_the_signed_record(alice, partnership_a):
    assessment = make_assessment(partnership_a)
    answer_all(assessment, alice, {"AA-02": "good", "BB-01": "good"})  # AA-01 left empty
    put_in_review(assessment)
    snapshot = sign_off_by_board(assessment, alice)
    record = snapshots.read(snapshot.data)
    assert record.result is not None
    assert record.result.critical_not_answered == ("AA-01",)
    assert record.result.theme("AA").critical_not_answered == ("AA-01",)


def test_earlier_versions_read_as_having_no_critical_question_not_answered():
    result = snapshots.read(V1["data"]).result
    assert result is not None and result.critical_not_answered == ()


@pytest.mark.parametrize("fixture", [V1, V2], ids=["version 1", "version 2"])
def test_the_stored_fixtures_render_their_board_pack(alice, partnership_a, fixture):
    assessment = signed_from_fixture(partnership_a, alice, fixture)
    stored = pdf.render_signed_report(assessment.pk, "board")
    reader, text = read_pdf(stored.file.read())
    flat = " ".join(text.split())
    assert stored.kind == "board" and len(reader.pages) == stored.pages <= 12
    assert fixture["data"]["assessment"]["title"] in flat and "board pack" in flat
    result = snapshots.read(fixture["data"]).result
    assert result is not None
    assert f"Score: {result.theme('BB').percentage:.0f}%" in flat
