"""Evidence items through the Django client: attaching on the question page, files checked by
content, downloads, what a signed-off record keeps, deleting."""

import io
import json
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from assessment import snapshots
from assessment.evidence import simple_pdf
from assessment.models import (
    AnswerEvidence,
    AssessmentLocked,
    EvidenceItem,
    EvidenceKind,
    Question,
    Role,
)
from tests.factories import (
    found,
    good_answer,
    make_assessment,
    make_member,
    make_user,
    put_in_review,
    sign_off_by_board,
    theme_post,
)
from tests.views.test_results import answer_all

pytestmark = pytest.mark.django_db

PDF = simple_pdf(["Northdale child exploitation problem profile", "April 2024 to March 2025"])


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def assessment(partnership_a):
    return make_assessment(partnership_a)


def new_item(code: str, *, title="Problem profile 2024", content=PDF, name="profile.pdf", **extra):
    """The fields of a new evidence item on the theme page, for question ``code``."""
    p = f"{code}-ev-"
    data = {
        f"{p}title": title,
        f"{p}kind": EvidenceKind.PROBLEM_PROFILE,
        f"{p}agency": "police",
        f"{p}produced_0": "1",
        f"{p}produced_1": "4",
        f"{p}produced_2": "2025",
        f"{p}period_start_0": "1",
        f"{p}period_start_1": "4",
        f"{p}period_start_2": "2024",
        f"{p}period_end_0": "31",
        f"{p}period_end_1": "3",
        f"{p}period_end_2": "2025",
        f"{p}no_child_data": "on",
    }
    if content is not None:
        data[f"{p}file"] = SimpleUploadedFile(name, content, content_type="application/pdf")
    return data | {f"{p}{k}": v for k, v in extra.items()}


def attach(client, assessment, code: str = "AA-01", answers: dict | None = None, **fields):
    data = theme_post(assessment, code[:2], answers or {}) | {"evidence_for": code} | fields
    return client.post(f"/assessments/{assessment.code}/themes/{code[:2]}/", data)


def item(title="Problem profile 2024", partnership=None, **fields) -> EvidenceItem:
    defaults = {
        "kind": EvidenceKind.PROBLEM_PROFILE,
        "agency": "police",
        "produced": date(2025, 4, 1),
        "link": "https://intranet.example.org/profile",
    }
    return EvidenceItem.objects.create(partnership=partnership, title=title, **defaults | fields)


# Attaching on the question page -----------------------------------------------------------


def test_a_new_pdf_is_attached_from_the_question_and_the_typed_answer_is_kept(
    client, alice, assessment
):
    client.force_login(alice)
    response = attach(
        client,
        assessment,
        answers={"AA-01": good_answer("AA-01", assessment, "Our 2024 profile.")},
        **new_item("AA-01"),
    )
    assert response.status_code == 302 and response["Location"].endswith("#evidence-AA-01")
    stored = EvidenceItem.objects.get()
    assert stored.partnership == assessment.partnership and stored.file_name == "profile.pdf"
    assert stored.sha256 == __import__("hashlib").sha256(PDF).hexdigest()
    assert stored.content_type == "application/pdf" and stored.size == len(PDF)
    assert storages["evidence"].exists(stored.file.name)
    assert AnswerEvidence.objects.get().question.code == "AA-01"
    # The answer typed beside it was saved as a draft, not lost.
    assert assessment.answers.get(question__code="AA-01").evidence == "Our 2024 profile."
    page = client.get(f"/assessments/{assessment.code}/themes/AA/").content.decode()
    assert "Problem profile 2024" in page and "Produced 1 April 2025" in page
    assert "covers 1 Apr 2024 to 31 Mar 2025" in page and "Current" in page


def test_an_existing_item_is_reused_on_a_second_answer(client, alice, assessment):
    profile = item(partnership=assessment.partnership)
    client.force_login(alice)
    for code in ("AA-01", "AA-02"):
        response = attach(
            client, assessment, code, None, **{f"{code}-ev-existing": str(profile.code)}
        )
        assert response.status_code == 302
    assert sorted(AnswerEvidence.objects.values_list("question__code", flat=True)) == [
        "AA-01",
        "AA-02",
    ]
    assert EvidenceItem.objects.count() == 1


def test_attaching_nothing_names_the_question(client, alice, assessment):
    item(partnership=assessment.partnership)
    client.force_login(alice)
    response = attach(client, assessment, "AA-02")
    assert response.status_code == 200
    assert "AA-02: Select an evidence item to attach, or add a new one" in response.content.decode()


def test_each_question_has_its_own_new_item_form_drawn_from_one(client, alice, assessment):
    """The empty form is drawn once and stamped with each question's code: every question's
    fields, labels and error anchors carry its own code, and no stand-in is left."""
    client.force_login(alice)
    page = client.get(f"/assessments/{assessment.code}/themes/AA/").content.decode()
    codes = list(
        Question.objects.filter(theme__framework=assessment.framework, theme__code="AA")
        .order_by("order")
        .values_list("code", flat=True)
    )
    assert len(codes) >= 2
    for code in codes:
        assert f'id="id_{code}-ev-title"' in page and f'name="{code}-ev-title"' in page
        assert f'name="{code}-ev-produced_0"' in page
        assert f'for="id_{code}-ev-file"' in page
        assert f'<span class="govuk-visually-hidden">{code} </span>Title' in page
    assert "__question__" not in page


def test_a_new_item_attached_while_another_answer_has_errors_leaves_an_empty_form(
    client, alice, assessment
):
    client.force_login(alice)
    bad = {"AA-02": {"evidence": "x" * 20_000}}
    response = attach(client, assessment, answers=bad, **new_item("AA-01", title="Profile 2025"))
    assert response.status_code == 200  # drawn again: AA-02 has a problem
    assert AnswerEvidence.objects.get().item.title == "Profile 2025"
    page = response.content.decode()
    title_input = found(r'<input[^>]*name="AA-01-ev-title"[^>]*>', page).group(0)
    assert "Profile 2025" not in title_input and "value=" not in title_input


def test_an_item_is_removed_from_an_answer_but_stays_in_the_register(client, alice, assessment):
    profile = item(partnership=assessment.partnership)
    question = Question.objects.get(theme__framework=assessment.framework, code="AA-01")
    AnswerEvidence.objects.create(assessment=assessment, question=question, item=profile)
    client.force_login(alice)
    data = theme_post(assessment, "AA", {}) | {"evidence_remove": f"AA-01:{profile.code}"}
    response = client.post(f"/assessments/{assessment.code}/themes/AA/", data)
    assert response.status_code == 302
    assert not AnswerEvidence.objects.exists() and EvidenceItem.objects.exists()


def test_another_partnerships_item_cannot_be_attached(client, alice, assessment, partnership_b):
    theirs = item(partnership=partnership_b)
    client.force_login(alice)
    response = attach(client, assessment, "AA-01", None, **{"AA-01-ev-existing": str(theirs.code)})
    assert response.status_code == 403 and not AnswerEvidence.objects.exists()


def test_a_viewer_cannot_attach_evidence(client, bob, assessment):
    client.force_login(bob)
    assert attach(client, assessment, **new_item("AA-01")).status_code == 403
    assert not EvidenceItem.objects.exists()


def test_the_question_page_shows_the_evidence_the_framework_expects(client, alice, assessment):
    Question.objects.filter(theme__framework=assessment.framework, code="AA-01").update(
        evidence={"kinds": ["problem_profile"], "text": "A problem profile dated within 12 months"}
    )
    client.force_login(alice)
    page = client.get(f"/assessments/{assessment.code}/themes/AA/").content.decode()
    assert "This question expects:</strong> A problem profile dated within 12 months" in page


# Files checked by content, size, personal data --------------------------------------------


def test_a_file_with_a_pdf_name_and_html_content_is_refused_and_the_form_kept(
    client, alice, assessment
):
    client.force_login(alice)
    html = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
    response = attach(client, assessment, **new_item("AA-01", content=html, title="Kept title"))
    page = response.content.decode()
    assert response.status_code == 200
    assert (
        "AA-01: The selected file must be a PDF, Word document, Excel spreadsheet, OpenDocument "
        "file, CSV, plain text, PNG or JPEG" in page
    )
    assert 'value="Kept title"' in page and not EvidenceItem.objects.exists()


def test_a_valid_file_kept_for_a_form_with_other_errors_keeps_the_typed_text_as_typed(
    client, alice, assessment
):
    """The file is stored and the form goes back for a missing date: the title and description
    come back exactly as typed (once they came back as "['Kept title']", and were saved so)."""
    client.force_login(alice)
    fields = new_item("AA-01", title="Kept title", description="From the 2024 audit")
    del fields["AA-01-ev-produced_0"], fields["AA-01-ev-produced_1"], fields["AA-01-ev-produced_2"]
    response = attach(client, assessment, **fields)
    page = response.content.decode()
    assert response.status_code == 200 and "AA-01: Enter the date the evidence was produced" in page
    assert "Kept from your last try" in page  # the file was kept
    assert 'value="Kept title"' in page and "\nFrom the 2024 audit</textarea>" in page
    assert "[&#x27;" not in page


def test_an_image_named_as_a_different_type_is_refused(client, alice, assessment):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    client.force_login(alice)
    response = attach(client, assessment, **new_item("AA-01", content=png, name="scan.jpg"))
    assert "The selected file must be a PDF" in response.content.decode()


def test_a_file_over_the_limit_is_refused_with_the_limit_named(client, alice, assessment, settings):
    settings.EVIDENCE_MAX_MB = 1
    big = PDF + b"%" + b"0" * (1024 * 1024)
    client.force_login(alice)
    response = attach(client, assessment, **new_item("AA-01", content=big))
    assert "AA-01: The selected file must be smaller than 1 MB" in response.content.decode()
    assert not EvidenceItem.objects.exists()


def test_the_default_limit_is_20_mb(settings):
    assert settings.EVIDENCE_MAX_MB == 20


def test_personal_data_in_a_pdfs_text_warns_and_the_file_is_kept_for_the_confirmation(
    client, alice, assessment
):
    leaky = simple_pdf(["Case of Jane Smith, born 3 March 2012", "jane.smith@example.org"])
    client.force_login(alice)
    response = attach(client, assessment, **new_item("AA-01", content=leaky))
    page = response.content.decode()
    assert response.status_code == 200 and "The file&#x27;s text may contain personal details" in (
        page.replace("'", "&#x27;")
    )
    assert "Kept from your last try" in page and not EvidenceItem.objects.exists()
    token = page.split('name="AA-01-ev-pending" value="')[1].split('"')[0]
    confirmed = new_item("AA-01", content=None, pending=token, confirm_personal_data="on")
    assert attach(client, assessment, **confirmed).status_code == 302
    stored = EvidenceItem.objects.get()
    assert stored.personal_data_warned and stored.sha256


def test_the_text_of_a_word_document_is_scanned_too(client, alice, assessment):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as docx:
        docx.writestr("[Content_Types].xml", "<Types/>")
        docx.writestr(
            "word/document.xml",
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>Call 07700 900123 about the child</w:t></w:r></w:p>"
            "</w:body></w:document>",
        )
    client.force_login(alice)
    response = attach(
        client, assessment, **new_item("AA-01", content=buffer.getvalue(), name="minutes.docx")
    )
    assert "text may contain personal details" in response.content.decode()


def test_a_plain_text_file_without_personal_data_is_accepted(client, alice, assessment):
    client.force_login(alice)
    csv = b"quarter,referrals\n2024 Q1,41\n2024 Q2,38\n"
    response = attach(client, assessment, **new_item("AA-01", content=csv, name="returns.csv"))
    assert response.status_code == 302
    assert EvidenceItem.objects.get().content_type == "text/csv"


def test_the_uploader_must_confirm_the_file_identifies_no_child(client, alice, assessment):
    client.force_login(alice)
    data = new_item("AA-01")
    del data["AA-01-ev-no_child_data"]
    response = attach(client, assessment, **data)
    page = response.content.decode()
    assert "AA-01: Confirm that the file holds no information that identifies a child" in page
    # The valid file is kept: the person ticks the box without selecting it again.
    assert "Kept from your last try: <strong>profile.pdf</strong>" in page


# Freshness on the answer, the task list and the results ----------------------------------


def test_an_item_past_its_review_date_is_flagged_and_coverage_drops(client, alice, assessment):
    answer_all(assessment, alice, {"AA-01": "good", "AA-02": "poor"})
    profile = item(partnership=assessment.partnership, produced=date(2024, 6, 1))
    for code in ("AA-01", "AA-02"):
        question = Question.objects.get(theme__framework=assessment.framework, code=code)
        AnswerEvidence.objects.create(assessment=assessment, question=question, item=profile)
    client.force_login(alice)
    results = client.get(f"/assessments/{assessment.code}/results").content.decode()
    assert "2 of 3 scored answers have current evidence" in results  # AA-03 has none
    from assessment.results import scored

    score_before = scored(assessment).result

    profile.review_by = timezone.localdate() - timedelta(days=1)
    profile.save()
    results = client.get(f"/assessments/{assessment.code}/results").content.decode()
    assert "0 of 3 scored answers have current evidence" in results
    assert "2 attached items are out of date" in results
    assert scored(assessment).result == score_before  # beside the score, never part of it
    home = client.get(f"/assessments/{assessment.code}/").content.decode()
    assert "2 evidence items out of date" in home
    page = client.get(f"/assessments/{assessment.code}/themes/AA/").content.decode()
    assert "Out of date" in page and "has passed" in page


def test_an_item_covering_a_period_too_long_before_the_cycle_is_out_of_date(
    client, alice, assessment
):
    assessment.framework.__class__.objects.filter(pk=assessment.framework_id).update(
        evidence_months=12
    )
    old = item(
        partnership=assessment.partnership,
        period_start=date(2021, 4, 1),
        period_end=date(2022, 3, 31),
        produced=date(2022, 6, 1),
    )
    question = Question.objects.get(theme__framework=assessment.framework, code="AA-01")
    AnswerEvidence.objects.create(assessment=assessment, question=question, item=old)
    client.force_login(alice)
    page = client.get(f"/assessments/{assessment.code}/themes/AA/").content.decode()
    assert "The period it covers ended on 31 March 2022, more than 12 months before" in page


# Signed off: locked, recorded, kept ---------------------------------------------------------


@pytest.fixture
def signed(alice, assessment, client):
    client.force_login(alice)
    answer_all(assessment, alice, {"AA-01": "good", "AA-02": "poor"})
    assert attach(client, assessment, **new_item("AA-01")).status_code == 302
    put_in_review(assessment)
    sign_off_by_board(assessment, alice)
    assessment.refresh_from_db()
    return assessment


def test_the_snapshot_records_each_attached_item_and_its_hash(signed):
    data = signed.latest_snapshot.data
    assert data["schema_version"] == snapshots.SCHEMA_VERSION == 7
    recorded = next(a for a in data["answers"] if a["question"] == "AA-01")["evidence_items"]
    stored = EvidenceItem.objects.get()
    assert recorded == [
        {
            "id": str(stored.code),
            "title": "Problem profile 2024",
            "kind": "problem_profile",
            "agency": "police",
            "produced": "2025-04-01",
            "period_start": "2024-04-01",
            "period_end": "2025-03-31",
            "review_by": None,
            "description": "",
            "file_name": "profile.pdf",
            "content_type": "application/pdf",
            "size": len(PDF),
            "sha256": stored.sha256,
            "link": None,
        }
    ]
    record = snapshots.read(data)
    answer = next(a for a in record.answers if a.question == "AA-01")
    assert answer.evidence_items[0].sha256 == stored.sha256
    assert answer.evidence_items[0].produced == date(2025, 4, 1)


def test_evidence_cannot_be_attached_or_removed_once_signed_off(client, signed):
    link = AnswerEvidence.objects.get()
    with pytest.raises(AssessmentLocked):
        link.delete()
    with pytest.raises(AssessmentLocked):
        AnswerEvidence.objects.filter(pk=link.pk).delete()
    with pytest.raises(AssessmentLocked):
        AnswerEvidence.objects.create(
            assessment=signed, question=Question.objects.get(code="AA-02"), item=link.item
        )
    data = theme_post(signed, "AA", {}) | {"evidence_remove": f"AA-01:{link.item.code}"}
    assert client.post(f"/assessments/{signed.code}/themes/AA/", data).status_code == 403


def test_an_item_a_signed_off_record_relies_on_cannot_be_deleted_or_its_file_replaced(
    client, signed
):
    stored = EvidenceItem.objects.get()
    base = f"/partnerships/{signed.partnership.code}/evidence/{stored.code}"
    response = client.post(f"{base}/delete")
    assert response.status_code == 409
    assert "a signed-off self-assessment relies on it" in response.content.decode()
    assert storages["evidence"].exists(stored.file.name)
    page = client.get(f"{base}/edit").content.decode()
    assert "The file cannot be replaced" in page and 'type="file"' not in page
    data = {
        k.removeprefix("AA-01-ev-"): v
        for k, v in new_item("AA-01", content=simple_pdf(["Another file"])).items()
    }
    client.post(f"{base}/edit", data)
    stored.refresh_from_db()
    assert stored.file_name == "profile.pdf" and stored.size == len(PDF)


def test_the_stored_report_lists_the_evidence_relied_on(signed):
    from assessment import pdf
    from tests.test_pdf import read

    _, text = read(pdf.render_pdf(signed))
    flat = " ".join(text.split())
    assert "Evidence relied on" in flat and "Problem profile 2024" in flat
    assert "Evidence: Problem profile 2024 (Problem profile, produced 1 Apr 2025)" in flat
    assert EvidenceItem.objects.get().sha256[:32] in text.replace("\n", "")
    assert "Evidence coverage" in flat


def test_a_version_4_snapshot_reads_with_no_evidence():
    stored = json.loads(
        (Path(__file__).parent.parent / "fixtures" / "snapshot-v4.json").read_text()
    )
    assert snapshots.digest(stored["data"]) == stored["sha256"]
    record = snapshots.read(stored["data"])
    assert record.schema_version == 4 and record.challenges is not None
    assert all(a.evidence_items == () for a in record.answers)
    assert snapshots.evidence_codes(stored["data"]) == set()


def test_the_results_page_of_a_version_4_snapshot_renders(client, alice, partnership_a):
    from tests.test_snapshots import signed_from_fixture

    stored = json.loads(
        (Path(__file__).parent.parent / "fixtures" / "snapshot-v4.json").read_text()
    )
    assessment = signed_from_fixture(partnership_a, alice, fixture=stored)
    client.force_login(alice)
    page = client.get(f"/assessments/{assessment.code}/results")
    assert page.status_code == 200 and "Evidence coverage" in page.content.decode()


# The register, downloads and deleting -------------------------------------------------------


def test_an_item_is_added_in_the_register_and_downloaded_as_an_attachment(
    client, alice, bob, charlie, partnership_a
):
    client.force_login(alice)
    data = {
        k.removeprefix("AA-01-ev-"): v
        for k, v in new_item("AA-01", title="Équipe audit: Q1/Q2").items()
    }
    response = client.post(f"/partnerships/{partnership_a.code}/evidence/new", data)
    assert response.status_code == 302
    stored = EvidenceItem.objects.get()
    url = f"/partnerships/{partnership_a.code}/evidence/{stored.code}/download"
    for person in (alice, bob):  # the lead, and a viewer of the same partnership
        client.force_login(person)
        download = client.get(url)
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == PDF
        assert download["Content-Disposition"] == 'attachment; filename="Equipe-audit-Q1-Q2.pdf"'
        assert download["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in download["Cache-Control"]
        assert download["Content-Type"] == "application/pdf"
    client.force_login(charlie)  # a lead of another partnership
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_a_viewer_of_another_partnership_gets_404_on_the_download(client, partnership_b):
    profile = EvidenceItem(
        partnership=partnership_b,
        title="Theirs",
        kind="minutes",
        agency="police",
        produced=date(2025, 1, 1),
        file_name="x.pdf",
    )
    profile.file.save("x.pdf", SimpleUploadedFile("x.pdf", PDF))
    viewer = make_user("viewer@elsewhere.example")
    from tests.factories import make_partnership

    make_member(make_partnership("Elsewhere"), viewer, Role.VIEWER, "other")
    client.force_login(viewer)
    url = f"/partnerships/{partnership_b.code}/evidence/{profile.code}/download"
    assert client.get(url).status_code == 404


def test_media_files_are_not_served_by_url(client, alice, signed):
    stored = EvidenceItem.objects.get()
    for prefix in ("/media/", "/", "/static/"):
        assert client.get(prefix + stored.file.name).status_code == 404


def test_deleting_an_unused_item_removes_its_file_from_storage(client, alice, assessment, media):
    client.force_login(alice)
    assert attach(client, assessment, **new_item("AA-01")).status_code == 302
    stored = EvidenceItem.objects.get()
    path = Path(media) / stored.file.name
    assert path.exists()
    url = f"/partnerships/{assessment.partnership.code}/evidence/{stored.code}/delete"
    page = client.get(url).content.decode()
    assert "AA-01 in Self-assessment 2025" in page  # it says where the item is used
    assert client.post(url).status_code == 302
    assert not EvidenceItem.objects.exists() and not AnswerEvidence.objects.exists()
    assert not path.exists()


def test_a_contributor_changes_only_their_own_agencys_items(client, partnership_a):
    from tests.factories import make_contributor

    nurse = make_contributor(partnership_a, "nurse@example.org", "health")
    police_item = item(partnership=partnership_a)
    client.force_login(nurse)
    base = f"/partnerships/{partnership_a.code}/evidence/{police_item.code}"
    assert client.get(f"{base}/edit").status_code == 403
    assert client.get(f"{base}/delete").status_code == 403
    assert client.get(f"{base}/").status_code == 200


def test_the_register_lists_items_with_their_dates_and_uses(client, alice, assessment):
    profile = item(partnership=assessment.partnership, review_by=date(2020, 1, 1))
    question = Question.objects.get(theme__framework=assessment.framework, code="AA-01")
    AnswerEvidence.objects.create(assessment=assessment, question=question, item=profile)
    client.force_login(alice)
    page = client.get(f"/partnerships/{assessment.partnership.code}/evidence/").content.decode()
    assert "Problem profile 2024" in page and "Review date passed" in page
    detail = client.get(
        f"/partnerships/{assessment.partnership.code}/evidence/{profile.code}/"
    ).content.decode()
    assert "AA-01</a> in Self-assessment 2025" in detail and "added by" in detail


def test_carried_answers_bring_their_evidence_judged_against_the_new_cycle(alice, assessment):
    from tests.factories import start_next_cycle

    answer_all(assessment, alice, {"AA-01": "good", "AA-02": "poor"})
    assessment.framework.__class__.objects.filter(pk=assessment.framework_id).update(
        evidence_months=12
    )
    profile = item(partnership=assessment.partnership, produced=date(2024, 5, 1))
    question = Question.objects.get(theme__framework=assessment.framework, code="AA-01")
    AnswerEvidence.objects.create(assessment=assessment, question=question, item=profile)
    next_cycle = start_next_cycle(assessment, alice)
    assert list(
        AnswerEvidence.objects.filter(assessment=next_cycle).values_list("question__code", "item")
    ) == [("AA-01", profile.pk)]
    from assessment import evidence

    # Produced May 2024: current for the cycle from April 2024, but for the one from April
    # 2025 it is still within 12 months, and for one from June 2025 it would not be.
    assert evidence.out_of_date_by_theme(next_cycle) == {}
    next_cycle.period_start = date(2025, 6, 1)
    assert sum(evidence.out_of_date_by_theme(next_cycle).values()) == 1


def test_an_upload_kept_for_a_form_never_sent_again_is_pruned_after_a_day(
    client, alice, assessment, media
):
    import os
    import time
    from io import StringIO

    from django.core.management import call_command

    client.force_login(alice)
    data = new_item("AA-01")
    del data["AA-01-ev-no_child_data"]  # sent back: the file is kept, no item made
    attach(client, assessment, **data)
    assert attach(client, assessment, **new_item("AA-01", title="Saved")).status_code == 302
    files = sorted(Path(media, "evidence").rglob("*"))
    files = [f for f in files if f.is_file()]
    assert len(files) == 2
    kept = next(f for f in files if f.name not in EvidenceItem.objects.get().file.name)
    out = StringIO()
    call_command("prune_evidence_uploads", stdout=out)
    assert "0 unused evidence files deleted" in out.getvalue()  # younger than a day
    old = time.time() - 25 * 3600
    for f in files:
        os.utime(f, (old, old))
    call_command("prune_evidence_uploads", stdout=out)
    assert "1 unused evidence file deleted" in out.getvalue()
    assert not kept.exists() and storages["evidence"].exists(EvidenceItem.objects.get().file.name)
