"""The PDF review report, read back with pypdf: content, structure, storage, access."""

import io
from io import StringIO

import pytest
from django.core.management import call_command
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from assessment import pdf
from assessment.models import Action, Comment, StoredReport
from tests.factories import make_assessment, make_framework, put_in_review, sign_off_by_board
from tests.views.test_results import answer_all

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


@pytest.fixture
def assessment(alice, partnership_a):
    assessment = make_assessment(partnership_a)
    answer_all(assessment, alice, {"AA-01": "poor", "AA-02": "good", "BB-01": "established"})
    answer = assessment.answers.get(question__code="AA-02")
    answer.evidence = 'Audit <script>alert("x")</script> & review'
    answer.save()
    Comment.objects.create(
        assessment=assessment,
        theme=answer.question.theme,
        question=answer.question,
        author=alice,
        text="Which audit?",
    )
    Action.objects.create(
        assessment=assessment,
        raised_in=assessment,
        agency="police",
        description="Refresh the problem profile annually",
        due="2025-12-31",
        question_codes=["AA-01"],
    )
    return assessment


def dictionary(value: object) -> DictionaryObject:
    """A PDF dictionary read from the file (pypdf types its values loosely)."""
    assert isinstance(value, DictionaryObject), type(value)
    return value


def read(body: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(body))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def outline_titles(outline) -> list[str]:
    titles = []
    for item in outline:
        if isinstance(item, list):
            titles += outline_titles(item)
        else:
            titles.append(item.title)
    return titles


def test_the_report_has_every_part_the_board_needs(assessment):
    reader, text = read(pdf.render_pdf(assessment))
    for needed in [
        "Self-assessment 2025: review report",
        "Northdale Safeguarding Partnership",
        "Contents",
        "Summary for the board",
        "Theme AA",
        "Theme BB",
        "AA-01", "AA-02", "AA-03", "BB-01", "BB-02",
        "Critical findings (1)",
        "Progress over time",
        "Action plan",
        "Refresh the problem profile annually",
        "Which audit?",
        "Appendix: method, glossary and sources",
        "Annex 4 para 3",
        "Network",  # the glossary
    ]:  # fmt: skip
        assert needed in text, needed
    assert 5 <= len(reader.pages) <= 40


def test_the_board_summary_lists_critical_questions_not_answered(alice, partnership_a):
    assessment = make_assessment(partnership_a)
    answer_all(assessment, alice, {"AA-02": "good", "BB-01": "established"})  # AA-01 left empty
    _, text = read(pdf.render_pdf(assessment))
    start = text.index("Overall:")  # the board summary, after the contents
    summary = text[start : text.index("Every answer", start)]
    listed = summary[summary.index("Critical questions not answered (1)") :]
    assert "AA-01" in listed[:300] and "BB-01" not in listed[:300]


def test_the_report_says_why_each_critical_question_is_critical(alice, partnership_a):
    assessment = make_assessment(partnership_a, framework=make_framework(format=2))
    answer_all(assessment, alice, {"AA-01": "poor", "AA-02": "good", "BB-01": "good"})
    _, text = read(pdf.render_pdf(assessment))
    summary = text[text.index("Critical findings (1)") :]
    assert "Why it is critical: The Inquiry called this wholly unacceptable." in summary[:400]
    assert "Annex 4 para 8" in summary[:400]
    appendix = text[text.rindex("Critical questions") :]
    assert "Why it is critical" in appendix[:600]


def test_user_text_is_escaped_not_interpreted(assessment):
    html = pdf.render_html(assessment)
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; review" in html
    assert "<script>" not in html
    _, text = read(pdf.html_to_pdf(html)[0])
    assert '<script>alert("x")</script>' in text


def test_a_draft_is_watermarked_and_dated(assessment):
    _, text = read(pdf.render_pdf(assessment))
    assert text.count("Draft") >= 3
    assert "Rendered" in text


def test_the_pdf_is_tagged_bookmarked_titled_and_embeds_its_fonts(assessment):
    reader, _ = read(pdf.render_pdf(assessment))
    root = reader.root_object
    assert bool(dictionary(root["/MarkInfo"])["/Marked"])
    assert "/StructTreeRoot" in root
    assert str(root["/Lang"]).startswith("en")
    assert reader.metadata is not None
    assert (
        reader.metadata.title
        == "Northdale Safeguarding Partnership: Self-assessment 2025 \N{EN DASH} review report"
    )
    titles = outline_titles(reader.outline)
    assert "Summary for the board" in titles and "1. Theme AA" in titles
    fonts = set()
    for page in reader.pages:
        for font in (dictionary(page["/Resources"]).get("/Font") or {}).values():
            descriptor = (
                font.get_object().get("/FontDescriptor")
                or font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            )
            fonts.add(any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")))
    assert fonts == {True}


def test_render_report_writes_the_file(assessment, tmp_path):
    out = StringIO()
    target = tmp_path / "report.pdf"
    call_command("render_report", str(assessment.code), "-o", str(target), stdout=out)
    assert target.read_bytes().startswith(b"%PDF")
    assert "draft" in out.getvalue()


def test_render_report_names_a_bad_code(db, tmp_path):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="No assessment with code 'nope'"):
        call_command("render_report", "nope", "-o", str(tmp_path / "x.pdf"))


def test_the_demo_report_of_the_real_framework_renders(db, tmp_path):
    from assessment.frameworks import load
    from assessment.frameworks import read as read_bank
    from assessment.models import Assessment
    from tests.test_question_bank import BANK

    load(read_bank(BANK))
    call_command("seed_demo", stdout=StringIO())
    signed = Assessment.objects.get(partnership__nation="wales", status="signed_off")
    stored = pdf.stored_report(signed)
    reader, text = read(stored.file.read())
    for theme in signed.framework.themes.all():
        assert theme.title.split(",")[0] in text.replace("\n", " ")
    assert stored.pages == len(reader.pages) and 20 < stored.pages < 120


def test_the_board_summary_lists_challenges_approvals_and_overdue_actions(
    alice, partnership_a, assessment
):
    from datetime import date

    from assessment.models import Challenge, ChallengeNote, Representative, Theme
    from assessment.signoff import approve
    from tests.factories import make_contributor

    pat = make_contributor(partnership_a, "police", "pat@example.org")
    pat.name = "Pat Police"
    pat.save()
    Action.objects.create(
        assessment=assessment,
        agency="police",
        owner=pat,
        description="Flag every case at risk",
        due=date(2025, 9, 27),
        status="in_progress",
    )
    theme = Theme.objects.get(framework=assessment.framework, code="AA")
    resolved = Challenge.objects.create(
        assessment=assessment, theme=theme, raised_by=alice, text="Is the audit current?"
    )
    ChallengeNote.objects.create(
        challenge=resolved, kind="response", author=pat, text="Yes, re-run in March"
    )
    ChallengeNote.objects.create(
        challenge=resolved, kind="resolution", author=alice, text="Settled by the March audit"
    )
    resolved.resolved_at, resolved.resolved_by = resolved.created, alice
    resolved.save()
    Challenge.objects.create(assessment=assessment, raised_by=alice, text="Who chairs MACE?")
    for partner, person in (("local_authority", alice), ("police", pat)):
        Representative.objects.create(
            partnership=partnership_a,
            partner=partner,
            membership=person.memberships.get(partnership=partnership_a),
        )
    put_in_review(assessment)
    open_code = str(Challenge.objects.get(text="Who chairs MACE?").code)
    approve(assessment=assessment, user=alice, left_open={open_code: "For the next cycle"})
    draft_text = read(pdf.render_pdf(assessment))[1]
    assert "Challenges (1 open, 2 in all)" in draft_text
    assert "Overdue actions on" in draft_text and "Flag every case at risk" in draft_text
    sign_off_by_board(assessment, alice)
    _, text = read(pdf.stored_report(assessment).file.read())
    flat = " ".join(text.split())
    assert "Resolved challenge on AA" in flat and "Yes, re-run in March" in flat
    assert "Settled by the March audit" in flat
    assert "Open challenge on the whole self-assessment" in flat
    assert "Left open at sign-off from Alice Lead" in flat and "For the next cycle" in flat
    assert "Challenges on this theme" in flat  # the theme section shows its own in full
    assert "Pat Police" in flat and "Contributor, Police" in flat
    assert "pat@example.org" not in flat  # owners by name and role, never an email address
    assert "27 September 2025" in flat and "OVERDUE" in flat.upper()
    assert "In progress" in flat
    assert "A tamper-evident copy is kept" in flat
    assert "by the board at its meeting on 12 June 2025" in flat


def test_sign_off_stores_the_report_as_soon_as_the_task_runs(
    immediate_tasks, alice, assessment, django_capture_on_commit_callbacks
):
    put_in_review(assessment)
    with django_capture_on_commit_callbacks(execute=True):
        snapshot = sign_off_by_board(assessment, alice)
    stored = StoredReport.objects.get(snapshot=snapshot, kind="report")
    _, text = read(stored.file.read())
    assert "Which audit?" in text and "Refresh the problem profile annually" in text


def test_the_signed_report_is_rendered_from_the_snapshot_not_live_rows(alice, assessment):
    put_in_review(assessment)
    sign_off_by_board(assessment, alice)
    # Rows written behind the lock's back (raw SQL, a bad migration) must not reach the report.
    comment = Comment.objects.get()
    Comment._base_manager.bulk_create(
        [Comment(assessment=assessment, theme=comment.theme, author=alice, text="Added later")]
    )
    Action._base_manager.filter(assessment=assessment).update(description="Rewritten later")
    stored = pdf.render_signed_report(assessment.pk)
    _, text = read(stored.file.read())
    assert "Added later" not in text and "Rewritten later" not in text
    assert "Which audit?" in text and "Refresh the problem profile annually" in text
    assert pdf.render_signed_report(assessment.pk) == stored  # idempotent
