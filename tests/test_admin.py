import pytest

from tests.factories import complete_two_factor, make_framework, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    complete_two_factor(client, make_user("staff@example.org", is_staff=True, is_superuser=True))
    return client


def test_frameworks_are_read_only_in_the_admin(staff):
    framework = make_framework()
    assert staff.get("/admin/assessment/framework/").status_code == 200
    page = staff.get(f"/admin/assessment/framework/{framework.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert (
        staff.post(
            f"/admin/assessment/framework/{framework.pk}/change/", {"title": "Edited"}
        ).status_code
        == 403
    )
    assert staff.get("/admin/assessment/framework/add/").status_code == 403
    assert (
        staff.post(
            f"/admin/assessment/framework/{framework.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    framework.refresh_from_db()
    assert framework.title == "Test framework"


def test_the_admin_keeps_the_last_lead_rule(staff, alice, partnership_a):
    membership = partnership_a.memberships.get()
    response = staff.post(
        f"/admin/assessment/partnership/{partnership_a.pk}/change/",
        {
            "name": partnership_a.name,
            "nation": "england",
            "area": partnership_a.area,
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "1",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-id": membership.pk,
            "memberships-0-partnership": partnership_a.pk,
            "memberships-0-user": alice.pk,
            "memberships-0-role": "viewer",
            "memberships-0-agency": "police",
        },
    )
    assert "A partnership must keep at least one lead." in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == "lead"
