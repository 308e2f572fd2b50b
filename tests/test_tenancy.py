"""Every URL of the site x every role x own and another partnership's objects.

The URL patterns are read from the resolver, so a new view without an entry in EXPECTED fails
here until someone decides who may see it.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from assessment.models import Role

ROLES = [Role.LEAD, Role.CONTRIBUTOR, Role.SCRUTINEER, Role.VIEWER]
ALL = dict.fromkeys(ROLES, 200)
LEAD_ONLY = {Role.LEAD: 200, Role.CONTRIBUTOR: 403, Role.SCRUTINEER: 403, Role.VIEWER: 403}
CHANGE = {Role.LEAD: 200, Role.CONTRIBUTOR: 200, Role.SCRUTINEER: 403, Role.VIEWER: 403}
LEAD_POST = {Role.LEAD: 302, Role.CONTRIBUTOR: 403, Role.SCRUTINEER: 403, Role.VIEWER: 403}


@pytest.fixture
def world(shared_world):
    """The tenancy world, built once for this module (see ``shared_world`` in conftest.py)."""
    return shared_world


# name: (method, {role: status for the person's own partnership}). Another partnership: always 404.
EXPECTED = {
    "partnership_home": ("get", ALL),
    "joined": ("get", ALL),
    "members": ("get", ALL),
    "invite": ("get", LEAD_ONLY),
    "change_member": ("get", LEAD_ONLY),
    "remove_member": ("get", LEAD_ONLY),
    "resend_invitation": ("post", LEAD_POST),
    "cancel_invitation": ("post", LEAD_POST),
    "partnership_settings": ("get", LEAD_ONLY),
    "start_assessment": ("get", LEAD_ONLY),
    "assessment_home": ("get", ALL),
    "assign_themes": ("get", LEAD_ONLY),
    "check_answers": ("get", ALL),
    "submit_assessment": ("post", LEAD_POST),
    "return_to_draft": ("post", LEAD_POST),
    "sign_off": ("get", ALL),
    # Only named representatives approve or return; the world names none.
    "approve_assessment": ("post", dict.fromkeys(ROLES, 403)),
    "return_assessment": ("post", dict.fromkeys(ROLES, 403)),
    "board_approval": (
        "post",
        {Role.LEAD: 400, Role.CONTRIBUTOR: 403, Role.SCRUTINEER: 403, Role.VIEWER: 403},
    ),
    "challenge_list": ("get", ALL),
    "new_challenge": (
        "get",
        {Role.LEAD: 200, Role.CONTRIBUTOR: 403, Role.SCRUTINEER: 200, Role.VIEWER: 403},
    ),
    "challenge_detail": ("get", ALL),
    # The world's challenge is on the whole cycle: every contributor may respond.
    "respond_to_challenge": (
        "post",
        {Role.LEAD: 400, Role.CONTRIBUTOR: 400, Role.SCRUTINEER: 403, Role.VIEWER: 403},
    ),
    "resolve_challenge": (
        "post",
        {Role.LEAD: 400, Role.CONTRIBUTOR: 403, Role.SCRUTINEER: 400, Role.VIEWER: 403},
    ),
    "reopen": ("get", LEAD_ONLY),
    "activity": ("get", ALL),
    "theme": ("get", ALL),
    "autosave": ("post", ALL),  # says "not saved" to those who may not change the theme
    "comment": (
        "post",
        {Role.LEAD: 400, Role.CONTRIBUTOR: 403, Role.SCRUTINEER: 400, Role.VIEWER: 403},
    ),
    "answer_history": ("get", ALL),
    # Theme BB is given to police and health; the lead is from children's social care, the
    # other roles from the police. Police's view is not submitted: only police members read it.
    "agency_view": (
        "get",
        {Role.LEAD: 403, Role.CONTRIBUTOR: 200, Role.SCRUTINEER: 200, Role.VIEWER: 200},
    ),
    "agency_autosave": ("post", ALL),  # says "not saved" to those who may not change it
    # The contributor's view is unfinished: 400 says what is missing.
    "submit_agency_view": (
        "post",
        {Role.LEAD: 403, Role.CONTRIBUTOR: 400, Role.SCRUTINEER: 403, Role.VIEWER: 403},
    ),
    "moderate_theme": ("get", LEAD_ONLY),
    "moderate_question": ("get", LEAD_ONLY),
    "name_moderator": ("post", LEAD_POST),
    # Only an agency given the theme records dissent (the page says it is not settled yet).
    "record_dissent": (
        "get",
        {Role.LEAD: 403, Role.CONTRIBUTOR: 200, Role.SCRUTINEER: 403, Role.VIEWER: 403},
    ),
    "agency_results": ("get", ALL),
    "results": ("get", ALL),
    "benchmarks": ("get", ALL),
    "compare": ("get", ALL),
    "trend": ("get", ALL),
    "action_plan": ("get", ALL),
    "prepare_report": ("get", ALL),
    # Until a worker has rendered it, the download sends everyone to the page that waits for it.
    "report_pdf": ("get", dict.fromkeys(ROLES, 302)),
    "prepare_board_pack": ("get", ALL),
    "board_pack_pdf": ("get", dict.fromkeys(ROLES, 302)),
    # The exports too are made by a worker behind a page that waits for them.
    "prepare_export_json": ("get", ALL),
    "export_json": ("get", dict.fromkeys(ROLES, 302)),
    "prepare_export_csv": ("get", ALL),
    "export_csv": ("get", dict.fromkeys(ROLES, 302)),
    "export_zip": ("get", dict.fromkeys(ROLES, 302)),
    "prepare_export_zip": ("get", ALL),
    "import_assessment": ("get", LEAD_ONLY),
    "new_action": ("get", LEAD_ONLY),
    "actions_csv": ("get", ALL),
    "action_detail": ("get", ALL),
    "edit_action": (
        "get",
        {Role.LEAD: 200, Role.CONTRIBUTOR: 200, Role.SCRUTINEER: 403, Role.VIEWER: 403},
    ),
    "comment_on_action": (
        "post",
        {Role.LEAD: 400, Role.CONTRIBUTOR: 403, Role.SCRUTINEER: 400, Role.VIEWER: 403},
    ),
    "evidence_register": ("get", ALL),
    "add_evidence": ("get", CHANGE),
    "evidence_detail": ("get", ALL),
    # Contributors change their own agency's items (the world's item: police).
    "edit_evidence": ("get", CHANGE),
    "delete_evidence": ("get", LEAD_ONLY),
    # Every member of the partnership may download its evidence; nobody else (404).
    "download_evidence": ("get", ALL),
    "recommendation_register": ("get", ALL),
    "respond_to_recommendation": ("get", LEAD_ONLY),
    "add_local_recommendation": ("get", LEAD_ONLY),
    "register_csv": ("get", ALL),
    "publish_response": ("get", LEAD_ONLY),
    "published_response": ("get", ALL),
    "published_response_pdf": ("get", ALL),
    "register_entry": ("get", ALL),
    # Contributors update the entries their agency leads (the world's entry: police).
    "edit_register_entry": (
        "get",
        {Role.LEAD: 200, Role.CONTRIBUTOR: 200, Role.SCRUTINEER: 403, Role.VIEWER: 403},
    ),
    "add_milestone": (
        "post",
        {Role.LEAD: 400, Role.CONTRIBUTOR: 400, Role.SCRUTINEER: 403, Role.VIEWER: 403},
    ),
    "complete_milestone": (
        "post",
        {Role.LEAD: 302, Role.CONTRIBUTOR: 302, Role.SCRUTINEER: 403, Role.VIEWER: 403},
    ),
    "challenge_register_entry": (
        "get",
        {Role.LEAD: 200, Role.CONTRIBUTOR: 403, Role.SCRUTINEER: 200, Role.VIEWER: 403},
    ),
}
# Partnership data anyone may read without signing in: only what a lead published.
PUBLIC = {"public_response", "public_response_version", "public_response_pdf"}
# Pages that hold no partnership's data: public, or about the signed-in person only.
NOT_PARTNERSHIP_DATA = {
    "home",
    "healthz",
    "accessibility",
    "privacy",
    "partnership_list",
    "notification_settings",
    "framework_list",
    "framework_latest",
    "framework_json",
    "framework_detail",
    "glossary",
    "methodology",
    "sources",
    "theme_detail",
    "recommendation_set",
    "accept_invitation",
    "account",
    "account_email",  # allauth's own page, sent to "account": people cannot change it
}


def our_url_names() -> set[str]:
    names = set()

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                continue  # allauth and the admin have their own rules (tested in test_accounts/test_admin)
            if isinstance(pattern, URLPattern) and pattern.name:
                names.add(pattern.name)

    walk(get_resolver().url_patterns)
    return names


def test_every_url_is_in_the_matrix():
    assert our_url_names() - set(EXPECTED) - NOT_PARTNERSHIP_DATA - PUBLIC == set()


def url_for(name: str, objects: dict) -> str:
    partnership, assessment = objects["partnership"].code, objects["assessment"].code
    args = {
        "change_member": [partnership, objects["member"].code],
        "remove_member": [partnership, objects["member"].code],
        "resend_invitation": [partnership, objects["invitation"].code],
        "cancel_invitation": [partnership, objects["invitation"].code],
        "theme": [assessment, "AA"],
        "autosave": [assessment, "AA"],
        "comment": [assessment, "AA"],
        "answer_history": [assessment, "AA-01"],
        "agency_view": [assessment, "BB", "police"],
        "agency_autosave": [assessment, "BB", "police"],
        "submit_agency_view": [assessment, "BB", "police"],
        "moderate_theme": [assessment, "BB"],
        "name_moderator": [assessment, "BB"],
        "moderate_question": [assessment, "BB", "BB-01"],
        "record_dissent": [assessment, "BB", "BB-01"],
        "action_detail": [assessment, objects["action"].code],
        "edit_action": [assessment, objects["action"].code],
        "comment_on_action": [assessment, objects["action"].code],
        "challenge_detail": [assessment, objects["challenge"].code],
        "respond_to_challenge": [assessment, objects["challenge"].code],
        "resolve_challenge": [assessment, objects["challenge"].code],
        "evidence_detail": [partnership, objects["evidence"].code],
        "edit_evidence": [partnership, objects["evidence"].code],
        "delete_evidence": [partnership, objects["evidence"].code],
        "download_evidence": [partnership, objects["evidence"].code],
        "respond_to_recommendation": [partnership, objects["recommendation"].pk],
        "published_response": [partnership, 1],
        "published_response_pdf": [partnership, 1],
        "register_entry": [partnership, objects["entry"].code],
        "edit_register_entry": [partnership, objects["entry"].code],
        "add_milestone": [partnership, objects["entry"].code],
        "complete_milestone": [partnership, objects["entry"].code, objects["milestone"].code],
        "challenge_register_entry": [partnership, objects["entry"].code],
        "public_response": [partnership],
        "public_response_version": [partnership, 1],
        "public_response_pdf": [partnership, 1],
    }
    partnership_views = {
        "partnership_home",
        "joined",
        "members",
        "invite",
        "partnership_settings",
        "start_assessment",
        "import_assessment",
        "recommendation_register",
        "add_local_recommendation",
        "register_csv",
        "publish_response",
        "evidence_register",
        "add_evidence",
    }
    return reverse(
        name, args=args.get(name, [partnership if name in partnership_views else assessment])
    )


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_own_partnership(client, world, name, role):
    worlds, people = world
    method, expected = EXPECTED[name]
    client.force_login(people[role])
    response = getattr(client, method)(url_for(name, worlds["own"]))
    assert response.status_code == expected[role]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"Glanmor" not in content  # never another partnership's data


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_another_partnership_is_404(client, world, name, role):
    worlds, people = world
    method, _ = EXPECTED[name]
    client.force_login(people[role])
    response = getattr(client, method)(url_for(name, worlds["other"]))
    assert response.status_code == 404
    assert b"Glanmor" not in response.content


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_signed_out_people_are_sent_to_sign_in(client, world, name):
    worlds, _ = world
    method, _ = EXPECTED[name]
    response = getattr(client, method)(url_for(name, worlds["own"]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# Public pages: a partnership's published response ---------------------------------------------


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_a_published_response_is_public_and_shows_only_what_was_published(client, world, name):
    worlds, _ = world
    response = client.get(url_for(name, worlds["own"]))
    assert response.status_code == 200
    assert b"Glanmor" not in response.content  # never another partnership's data
    # The live register (its entry's response, its milestone) was never published.
    assert b"Northdale Safeguarding Partnership response" not in response.content
    assert b"Northdale Safeguarding Partnership milestone" not in response.content


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_a_member_of_another_partnership_sees_only_its_public_page(client, world, name):
    worlds, people = world
    client.force_login(people[Role.LEAD])  # of Northdale: the header names it, nothing else does
    response = client.get(url_for(name, worlds["other"]))
    assert response.status_code == 200
    assert b"Northdale Safeguarding Partnership response" not in response.content
    assert b"Glanmor Regional Board response" not in response.content  # their live register


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_a_partnership_that_published_nothing_has_no_public_page(client, world, name):
    worlds, _ = world
    worlds["own"]["partnership"].published_responses.all().delete()
    assert client.get(url_for(name, worlds["own"])).status_code == 404
