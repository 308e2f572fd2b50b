"""The load test: people working through a cycle, run headless by `manage.py bench` (full mode)
against gunicorn on PostgreSQL. Not collected by pytest (no test_ prefix).

BENCH_CODES names a JSON file with the assessment codes to work on and signed-in session keys.
"""

import json
import os
import random
from html.parser import HTMLParser
from pathlib import Path

from locust import HttpUser, between, task

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
        self.client.cookies.set("sessionid", WORK["sessions"].pop())
        self.code = random.choice(WORK["codes"])

    @task(4)
    def theme(self) -> None:
        self.client.get(
            f"/assessments/{self.code}/themes/{random.choice(THEMES)}/", name="theme page"
        )

    @task(2)
    def task_list(self) -> None:
        self.client.get(f"/assessments/{self.code}/", name="task list")

    @task(2)
    def save_theme(self) -> None:
        page = self.client.get(f"/assessments/{self.code}/themes/PP/", name="theme page")
        start = page.text.index('id="theme-form"')
        parser = FormFields()
        parser.feed("<form " + page.text[start : page.text.index("</form>", start)])
        fields = parser.fields
        for index, (name, _) in enumerate(fields):
            if name.endswith("-evidence"):  # a real change, so that the save writes
                fields[index] = (name, f"Audit of 20 cases, checked {random.randint(1, 10**6)}")
                break
        fields.append(("draft", "1"))
        self.client.post(f"/assessments/{self.code}/themes/PP/", fields, name="save theme")

    @task(2)
    def results(self) -> None:
        self.client.get(f"/assessments/{self.code}/results", name="results")

    @task(1)
    def trend(self) -> None:
        self.client.get(f"/assessments/{self.code}/trend", name="trend")

    @task(1)
    def compare(self) -> None:
        self.client.get(f"/assessments/{self.code}/compare", name="compare")
