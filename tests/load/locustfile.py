"""The load test: people working through a cycle, run headless by `manage.py bench` against
gunicorn (tests/bench/load.py starts it). Not collected by pytest (no test_ prefix).

BENCH_CODES names a JSON file written by the bench: one entry per person (signed-in session key,
role, the assessment and partnership they work on, the themes they answer) and the think time.

Two kinds of user:

- ``Person``: someone at work. Contributors open a theme, type (the theme page's htmx autosave
  posts the form a few seconds after typing stops), then save; leads look over the task list,
  dashboard, results, compare and trend, answer a theme of their own, and ask for the review
  report (then wait on "Your report is being prepared" as its htmx poll does, and download it);
  viewers read results, trend, compare, the dashboard and the report. Between actions each
  person thinks for 5 to 20 seconds (shorter in the bench's quick mode).
- ``Capacity``: the same page mix without think time, against our pages or (``BENCH_TARGET``
  ``baseline``) against the bare views of tests/bench/baselines.py, to find the highest rate
  served with p95 <= 500 ms.

gunicorn runs with the production settings, as deployed behind a TLS-terminating proxy. Each
simulated person therefore plays browser and proxy at once: every request carries the proxy's
``X-Forwarded-Proto: https``, the cookies (all Secure) are sent by hand, because requests keeps
Secure cookies off plain HTTP, and a form is posted with its https origin, as a browser would.
"""

import json
import os
import random
import re
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import gevent
from locust import HttpUser, between, task
from locust.clients import ResponseContextManager

_source = os.environ.get("BENCH_CODES")
WORK = (
    json.loads(Path(_source).read_text())
    if _source
    else {"people": [], "think": [5, 20], "typing": [3, 8], "report_wait": 120}
)
THEMES = ["PP", "DI", "EM", "RA", "MC", "MV", "CD", "PW", "AR"]
_DOWNLOAD = re.compile(r'href="(/assessments/[^"]+/report\.pdf[^"]*)"')
_ERROR = re.compile(r'govuk-error-summary__list">.*?<a [^>]*>(.*?)</a>', re.S)
_VERSION = re.compile(r'name="([^"]+)-version" id="[^"]*" value="(\d+)"')


class FormFields(HTMLParser):
    """What a browser would send for the theme form: every field with its current value."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._in_textarea = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if not a.get("name") or "form" in a:  # fields of the separate comment forms are skipped
            return
        if tag == "input":
            if a.get("type") in ("radio", "checkbox") and "checked" not in a:
                return
            self.fields.append((a["name"] or "", a.get("value") or ""))
        elif tag == "textarea":
            self._in_textarea = True
            self.fields.append((a["name"] or "", ""))

    def handle_data(self, data: str) -> None:
        if self._in_textarea:
            name, value = self.fields[-1]
            self.fields[-1] = (name, value + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._in_textarea = False


class Browser(HttpUser):
    """A browser behind the proxy: cookies by hand, no redirects followed, https origin."""

    abstract = True

    def sign_in(self, session: str) -> None:
        assert self.host is not None, "the load runner always passes --host"
        host = urlsplit(self.host)
        self.origin = f"https://{host.netloc}"
        self.client.headers["X-Forwarded-Proto"] = "https"
        self.client.cookies.set("sessionid", session, domain=host.hostname)

    def visit(
        self, method: str, path: str, name: str, *, expect: int | None = None, **kwargs
    ) -> ResponseContextManager:
        """One request with the cookies set so far: 200, or 302 for a POST, else a failure.

        requests does not follow the redirects (it would drop the Cookie header), so that a
        sign-in page or an https redirect is a failure instead of a fast success.
        """
        cookies = {cookie.name: cookie.value for cookie in self.client.cookies}
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        headers |= kwargs.pop("headers", {})
        if method == "POST":
            headers |= {"Origin": self.origin, "Referer": self.origin + path}
        wanted = expect or (302 if method == "POST" else 200)
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
            elif response.status_code != wanted:
                # What the page said: where it went, or the first error it showed.
                said = response.headers.get("Location", "")
                if found := _ERROR.search(response.text or ""):
                    said = re.sub(r"\s+", " ", found.group(1)).strip()[:80]
                response.failure(f"{response.status_code} {said}")
        return response


class Person(Browser):
    """Someone at work on their partnership's self-assessment, in one of three roles."""

    wait_time = between(*WORK["think"])

    def on_start(self) -> None:
        me = WORK["people"].pop()
        self.sign_in(me["session"])
        self.role, self.code, self.partnership = me["role"], me["code"], me["partnership"]
        self.themes = me["themes"]
        self.asked_for_report = False
        actions = {
            # What each role does, and how often (weights).
            "contributor": {self.answer_a_theme: 6, self.task_list: 2, self.results: 1},
            "lead": {
                self.task_list: 3,
                self.dashboard: 2,
                self.results: 2,
                self.compare: 1,
                self.trend: 1,
                self.read_a_theme: 2,
                self.answer_a_theme: 2,
                self.report: 1,
            },
            "viewer": {
                self.dashboard: 2,
                self.results: 3,
                self.trend: 1,
                self.compare: 1,
                self.report: 1,
            },
        }[self.role]
        self.actions, self.weights = list(actions), list(actions.values())
        if WORK.get("report_first") and self.role == "viewer":
            self.report()

    @task
    def act(self) -> None:
        random.choices(self.actions, self.weights)[0]()

    def task_list(self) -> None:
        self.visit("GET", f"/assessments/{self.code}/", "task list")

    def dashboard(self) -> None:
        self.visit("GET", f"/partnerships/{self.partnership}/", "dashboard")

    def results(self) -> None:
        self.visit("GET", f"/assessments/{self.code}/results", "results")

    def compare(self) -> None:
        self.visit("GET", f"/assessments/{self.code}/compare", "compare")

    def trend(self) -> None:
        self.visit("GET", f"/assessments/{self.code}/trend", "trend")

    def read_a_theme(self) -> None:
        self.visit("GET", f"/assessments/{self.code}/themes/{random.choice(THEMES)}/", "theme page")

    def answer_a_theme(self) -> None:
        """Open one of my themes, type into a few answers (each pause in typing autosaves, as
        the page's htmx does), then select "Save as draft"."""
        path = f"/assessments/{self.code}/themes/{random.choice(self.themes)}/"
        page = self.visit("GET", path, "theme page")
        if page.status_code != 200 or 'id="theme-form"' not in page.text:
            return
        start = page.text.index('id="theme-form"')
        parser = FormFields()
        parser.feed("<form " + page.text[start : page.text.index("</form>", start)])
        fields = parser.fields
        evidence = [i for i, (name, _) in enumerate(fields) if name.endswith("-evidence")]
        for _ in range(random.randint(1, 3)):
            gevent.sleep(random.uniform(*WORK["typing"]))  # typing, then the pause
            index = random.choice(evidence)
            fields[index] = (
                fields[index][0],
                f"Audit of 20 cases, checked {random.randint(1, 10**6)}",
            )
            saved = self.visit(
                "POST",
                path + "autosave",
                "autosave",
                expect=200,
                data=fields,
                headers={"HX-Request": "true", "HX-Target": "autosave-status"},
            )
            # The response swaps in each saved answer's new version, as htmx does.
            versions = dict(_VERSION.findall(saved.text or ""))
            fields = [
                (name, versions.get(name.removesuffix("-version"), value))
                if name.endswith("-version")
                else (name, value)
                for name, value in fields
            ]
        gevent.sleep(random.uniform(*WORK["typing"]))
        saved = self.visit("POST", path, "save theme", data=[*fields, ("draft", "1")])
        if saved.status_code == 302:  # back to the theme page, which shows "… answers saved"
            self.visit("GET", saved.headers["Location"], "theme page")

    def report(self) -> None:
        """Ask for the review report once, wait on the page that polls (as htmx does, every
        5 s, for a bounded time), and download it when it is ready."""
        if self.asked_for_report:
            return self.results()
        self.asked_for_report = True
        path = f"/assessments/{self.code}/report"
        page = self.visit("GET", path, "report: ask")
        deadline = time.monotonic() + WORK["report_wait"]
        while "Your report is ready" not in (page.text or "") and time.monotonic() < deadline:
            gevent.sleep(5)
            page = self.visit(
                "GET", path, "report: being prepared (poll)", headers={"HX-Request": "true"}
            )
        if "Your report is ready" in (page.text or "") and (link := _DOWNLOAD.search(page.text)):
            self.visit("GET", link.group(1).replace("&amp;", "&"), "report: download")


class Capacity(Browser):
    """The page mix at full speed (no think time): ours, or the bare views of the same pages."""

    wait_time = between(0, 0)

    def on_start(self) -> None:
        me = random.choice(WORK["people"])
        self.sign_in(me["session"])
        self.code, self.partnership = me["code"], me["partnership"]
        self.bare = os.environ.get("BENCH_TARGET") == "baseline"

    def page(self, ours: str, bare: str, name: str) -> None:
        self.visit("GET", bare if self.bare else ours, name)

    @task(4)
    def theme(self) -> None:
        theme = random.choice(THEMES)
        self.page(
            f"/assessments/{self.code}/themes/{theme}/",
            f"/bench/baseline/{self.code}/{theme}/",
            "theme page",
        )

    @task(2)
    def results(self) -> None:
        self.page(
            f"/assessments/{self.code}/results", f"/bench/baseline/{self.code}/results", "results"
        )

    @task(1)
    def compare(self) -> None:
        self.page(
            f"/assessments/{self.code}/compare", f"/bench/baseline/{self.code}/compare", "compare"
        )

    @task(1)
    def trend(self) -> None:
        self.page(f"/assessments/{self.code}/trend", f"/bench/baseline/{self.code}/trend", "trend")

    @task(1)
    def dashboard(self) -> None:
        self.page(
            f"/partnerships/{self.partnership}/",
            f"/bench/baseline/{self.partnership}/dashboard",
            "dashboard",
        )
