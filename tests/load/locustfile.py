"""The load test: people working through a cycle, run headless by `manage.py bench` (full mode)
against gunicorn on PostgreSQL. Not collected by pytest (no test_ prefix).

BENCH_CODES names a JSON file with the assessment codes to work on and signed-in session keys.

gunicorn runs with the production settings, as deployed behind a TLS-terminating proxy. Each
simulated person therefore plays browser and proxy at once: every request carries the proxy's
``X-Forwarded-Proto: https``, the cookies (all Secure) are sent by hand, because requests keeps
Secure cookies off plain HTTP, and a form is posted with its https origin, as a browser would.
"""

import json
import os
import random
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from locust import HttpUser, between, task
from locust.clients import ResponseContextManager

_source = os.environ.get("BENCH_CODES")
WORK = json.loads(Path(_source).read_text()) if _source else {"codes": [], "sessions": []}
THEMES = ["PP", "DI", "EM", "RA", "MC", "MV", "CD", "PW", "AR"]


class FormFields(HTMLParser):
    """What a browser would send for the theme form: every field with its current value."""

    def __init__(self):
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._in_textarea = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if not a.get("name") or "form" in a:  # fields of the separate comment forms are skipped
            return
        if tag == "input":
            if a.get("type") in ("radio", "checkbox") and "checked" not in a:
                return
            self.fields.append((a["name"], a.get("value") or ""))
        elif tag == "textarea":
            self._in_textarea = True
            self.fields.append((a["name"], ""))

    def handle_data(self, data):
        if self._in_textarea:
            name, value = self.fields[-1]
            self.fields[-1] = (name, value + data)

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._in_textarea = False


class Member(HttpUser):
    wait_time = between(0.5, 2)

    def on_start(self) -> None:
        assert self.host, "locust is started with --host"
        host = urlsplit(self.host)
        self.origin = f"https://{host.netloc}"
        self.client.headers["X-Forwarded-Proto"] = "https"
        self.client.cookies.set("sessionid", WORK["sessions"].pop(), domain=host.hostname)
        self.code = random.choice(WORK["codes"])

    def visit(self, method: str, path: str, name: str, **kwargs) -> ResponseContextManager:
        """One request with the cookies set so far: 200, or 302 for a POST, else a failure.

        requests does not follow the redirects (it would drop the Cookie header), so that a
        sign-in page or an https redirect is a failure instead of a fast success.
        """
        cookies = {cookie.name: cookie.value for cookie in self.client.cookies}
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        if method == "POST":
            headers |= {"Origin": self.origin, "Referer": self.origin + path}
        with self.client.request(
            method,
            path,
            name=name,
            headers=headers,
            allow_redirects=False,
            catch_response=True,
            **kwargs,
        ) as response:
            if (
                method == "POST"
                and response.status_code == 200
                and 'name="conflicts"' in response.text
            ):
                # Two people saved the same theme at once: the page that asks which to keep.
                response.request_meta["name"] = f"{name} (conflict)"
            elif response.status_code != (302 if method == "POST" else 200):
                response.failure(f"{response.status_code} {response.headers.get('Location', '')}")
        return response

    @task(4)
    def theme(self) -> None:
        self.visit("GET", f"/assessments/{self.code}/themes/{random.choice(THEMES)}/", "theme page")

    @task(2)
    def task_list(self) -> None:
        self.visit("GET", f"/assessments/{self.code}/", "task list")

    @task(2)
    def save_theme(self) -> None:
        path = f"/assessments/{self.code}/themes/PP/"
        page = self.visit("GET", path, "theme page")
        if page.status_code != 200:
            return
        start = page.text.index('id="theme-form"')
        parser = FormFields()
        parser.feed("<form " + page.text[start : page.text.index("</form>", start)])
        fields = parser.fields
        for index, (name, _) in enumerate(fields):
            if name.endswith("-evidence"):  # a real change, so that the save writes
                fields[index] = (name, f"Audit of 20 cases, checked {random.randint(1, 10**6)}")
                break
        fields.append(("draft", "1"))
        saved = self.visit("POST", path, "save theme", data=fields)
        if saved.status_code == 302:  # back to the theme page, which shows "… answers saved"
            self.visit("GET", saved.headers["Location"], "theme page")

    @task(2)
    def results(self) -> None:
        self.visit("GET", f"/assessments/{self.code}/results", "results")

    @task(1)
    def trend(self) -> None:
        self.visit("GET", f"/assessments/{self.code}/trend", "trend")

    @task(1)
    def compare(self) -> None:
        self.visit("GET", f"/assessments/{self.code}/compare", "compare")
