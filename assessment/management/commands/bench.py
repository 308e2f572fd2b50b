"""The benchmark: time and queries of the main pages against a bare Django baseline, scoring,
the PDF against WeasyPrint alone, a stored PDF; writes docs/benchmarks.md.

Runs on a throwaway test database (never the real one). Times are medians of repeated runs,
reported as ratios to a baseline measured in the same run; they are reported, not asserted.
Query counts are budgets: the command exits non-zero when one is broken.

    python manage.py bench            # the full data set: 200 partnerships x 6 cycles
    python manage.py bench --quick    # a small data set, for CI, so the command cannot rot
"""

import json
import os
import platform
import statistics
import time
import warnings
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import QuerySet
from django.http import HttpResponse
from django.template import Context, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import include, path
from django.utils import timezone

BUDGETS = {
    "theme": "A theme page issues a constant number of SQL queries whatever the number of questions; render <= 3x a bare Django view",
    "results": "Results and trend pages: constant query count",
    "scoring": "Scoring a 150-question assessment < 5 ms",
    "pdf": "PDF of a full assessment <= 1.25x WeasyPrint alone rendering the same HTML",
    "stored": "A signed-off report is rendered once and served from storage after (well under 50 ms)",
}

# The baseline is what a plain Django view would do for the same page: read the same rows with
# the ORM (theme, questions, options, the answers and comments) and render their content (the
# question, its guidance and citations, each option with its descriptor, the answer's values and
# evidence, the comments) with one template, with none of our code: no access checks, forms,
# GOV.UK markup or page layout. The ratio is the price of all of those.
_BASELINE = Template(
    "<html><body><h1>{{ theme.title }}</h1><p>{{ theme.summary }}</p>"
    "{% for q in questions %}<section><h2>{{ q.code }} {{ q.text }}</h2><p>{{ q.guidance }}</p>"
    "<p>{% for r in q.references %}{{ r.section }} para {{ r.paragraph }} {% endfor %}</p><ul>"
    "{% for o in q.options.all %}<li><label><input type=radio name={{ q.code }} value={{ o.pk }}"
    "{% if o.pk in q.answer.selected %} checked{% endif %}>{{ o.label }}</label><p>{{ o.descriptor }}"
    "</p></li>{% endfor %}</ul>{% if q.answer %}<p>{{ q.answer.numerator }} {{ q.answer.denominator }}"
    " {{ q.answer.number }} {{ q.answer.date_value }} {{ q.answer.text }}</p>{% endif %}"
    "<textarea>{{ q.answer.evidence }}</textarea>{% for c in q.comments %}<p>{{ c.text }}</p>"
    "{% endfor %}</section>{% endfor %}</body></html>"
)


def baseline_theme(request, code, theme):
    """The rows of a theme page, read and rendered with plain Django: no code of ours."""
    from django.db.models import Prefetch

    from assessment.models import Answer, Assessment, Comment, Option, Theme

    assessment = Assessment.objects.get(code=code)
    theme_row = Theme.objects.get(framework_id=assessment.framework_id, code=theme)
    questions = list(
        theme_row.questions.order_by("order").prefetch_related(
            Prefetch("options", Option.objects.order_by("order"))
        )
    )
    answers = {
        a.question_id: a
        for a in Answer.objects.filter(assessment=assessment, question__theme=theme_row)
    }
    comments: dict = {}
    for comment in Comment.objects.filter(assessment=assessment, theme=theme_row):
        comments.setdefault(comment.question_id, []).append(comment)
    for q in questions:
        q.answer = answers.get(q.pk)
        q.comments = comments.get(q.pk, [])
    return HttpResponse(_BASELINE.render(Context({"theme": theme_row, "questions": questions})))


urlpatterns = [
    path("bench/baseline/<uuid:code>/<str:theme>/", baseline_theme),
    path("", include(settings.ROOT_URLCONF)),
]


def median_ms(fn, repeat: int) -> float:
    fn()  # warm up (caches, imports)
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def median_ms_pair(ours, baseline, repeat: int) -> tuple[float, float]:
    """Medians of two functions timed in turns, so that a machine that slows down or speeds up
    during the run moves both and not their ratio."""
    ours(), baseline()
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for fn, out in ((ours, samples[0]), (baseline, samples[1])):
            start = time.perf_counter()
            fn()
            out.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples[0]), statistics.median(samples[1])


class Command(BaseCommand):
    help = "Measure the pages, scoring and the PDF against baselines; write docs/benchmarks.md."

    def add_arguments(self, parser):
        parser.add_argument("--quick", action="store_true", help="A small data set (CI).")
        parser.add_argument("--partnerships", type=int, default=None)
        parser.add_argument("--cycles", type=int, default=None)
        parser.add_argument("--repeat", type=int, default=None)
        parser.add_argument(
            "--output", default=str(Path(settings.BASE_DIR) / "docs" / "benchmarks.md")
        )

    def handle(self, *args, quick: bool, partnerships, cycles, repeat, output, **options):
        partnerships = partnerships or (4 if quick else 200)
        cycles = cycles or (2 if quick else 6)
        repeat = repeat or (3 if quick else 15)
        # whitenoise warns that collected static files are missing: the bench serves none.
        warnings.filterwarnings("ignore", message="No directory at")
        # Not setup_test_environment(): it makes every template render send a signal, and the
        # test client then copies the context each time, a cost production does not pay.
        # Its own throwaway database, so that the bench and the test suite can run side by side.
        test_settings = connection.settings_dict.setdefault("TEST", {})
        if connection.vendor == "sqlite":
            test_settings["NAME"] = str(Path(settings.BASE_DIR) / ".bench-db.sqlite3")
        else:
            test_settings["NAME"] = f"bench_{connection.settings_dict['NAME']}"
        old_name = connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False
        )
        try:
            with override_settings(
                ROOT_URLCONF=__name__,
                ALLOWED_HOSTS=["*"],
                DEBUG=False,
                EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            ):
                rows, broken = self.measure(partnerships, cycles, repeat, quick)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        self.write(Path(output), rows, partnerships, cycles, repeat, quick)
        for row in rows:
            self.stdout.write(
                f"{row['what']:<52} {row['value']:>14}  {row['ratio']:>9}  {row['budget']}"
            )
        if broken:
            raise CommandError("Query budgets broken: " + "; ".join(broken))

    # Data ----------------------------------------------------------------------------------

    def build(self, partnerships: int, cycles: int):
        """Fictional partnerships, each with ``cycles`` cycles answering the whole framework."""
        from assessment.demo import _values
        from assessment.frameworks import load, read
        from assessment.models import Answer, Assessment, Membership, Partnership, Question, User

        framework, _ = load(
            read(Path(settings.BASE_DIR) / "fixtures" / "frameworks" / "iicsa-cse-networks.yaml")
        )
        questions = list(
            Question.objects.filter(theme__framework=framework).prefetch_related("options")
        )
        lead = User.objects.create_user("bench-lead@bench.example", "bench-password-not-secret")
        now = timezone.now()
        created = []
        for p in range(partnerships):
            nation = "wales" if p % 5 == 0 else "england"
            partnership = Partnership.objects.create(
                name=f"Bench partnership {p:03d}", nation=nation, area=f"Area {p:03d}"
            )
            Membership.objects.create(
                partnership=partnership, user=lead, role="lead", agency="police"
            )
            applicable = [q for q in questions if q.applies_to(nation)]
            previous = None
            for c in range(cycles):
                end = date(2020 + c, 3, 31)
                assessment = Assessment.objects.create(
                    partnership=partnership,
                    framework=framework,
                    title=f"Cycle {c + 1}",
                    period_start=end - timedelta(days=364),
                    period_end=end,
                    created_by=lead,
                    carried_from=previous,
                )
                # Bench data only: bulk writes skip the answer history, which no page here reads.
                Answer.objects.bulk_create(
                    Answer(
                        assessment=assessment,
                        question=q,
                        answered_by=lead,
                        agency="police",
                        updated=now,
                        **{k: v for k, v in _values(q, i + p, c).items()},
                    )
                    for i, q in enumerate(applicable)
                )
                previous = assessment
                created.append(assessment)
        return framework, lead, created

    # Measuring -----------------------------------------------------------------------------

    def measure(self, partnerships: int, cycles: int, repeat: int, quick: bool):
        from assessment import pdf, scoring
        from assessment.models import Answer, Assessment
        from assessment.results import data_of, framework_questions, spec_of
        from assessment.signoff import record_board_approval
        from assessment.tasks import render_stored_report
        from assessment.workflow import confirm_answers, submit

        started = time.perf_counter()
        framework, lead, assessments = self.build(partnerships, cycles)
        build_s = time.perf_counter() - started
        client = Client()
        client.force_login(lead)
        current = assessments[cycles - 1]  # an English partnership's latest cycle
        rows, broken = [], []

        def add(what, value, ratio="", budget="", ok=None):
            mark = "" if ok is None else (" (met)" if ok else " (NOT met)")
            rows.append({"what": what, "value": value, "ratio": ratio, "budget": budget + mark})

        add(
            "Data set",
            f"{partnerships} x {cycles} cycles",
            "",
            f"{len(assessments)} assessments, built in {build_s:.1f} s",
        )

        # The personal-data check on the worst texts we know of: one long word (an email
        # pattern tried from every character of it was quadratic), and names beside dates.
        from assessment.pii import find_personal_data

        for label, text in (
            ("100,000 digits", "0" * 100_000),
            ("names beside dates, 96,000 characters", "Met Jo Bloggs 1/2/2020. " * 4000),
        ):
            ms = median_ms(lambda text=text: find_personal_data(text), 3)
            add(f"Personal-data check: {label}", f"{ms:.0f} ms", "", "under 2 s", ms < 2000)

        # Theme pages: queries constant across themes of different sizes; time vs baseline.
        counts = {}
        client.get(
            f"/assessments/{current.code}/"
        )  # the first visit also remembers the partnership
        for theme in framework.themes.all():
            with CaptureQueriesContext(connection) as q:
                assert (
                    client.get(f"/assessments/{current.code}/themes/{theme.code}/").status_code
                    == 200
                )
            counts[theme.code] = (len(q), theme.questions.count())
        constant = len({c for c, _ in counts.values()}) == 1
        if not constant:
            broken.append(f"theme page queries vary: {counts}")
        ours, bare = median_ms_pair(
            lambda: client.get(f"/assessments/{current.code}/themes/PP/"),
            lambda: client.get(f"/bench/baseline/{current.code}/PP/"),
            repeat * 2 + 1,
        )
        sizes = sorted({n for _, n in counts.values()})
        add(
            "Theme page GET: queries",
            f"{next(iter(counts.values()))[0]} for {sizes[0]}-{sizes[-1]} questions",
            "",
            BUDGETS["theme"].split(";")[0],
            constant,
        )
        add(
            "Theme page GET: time",
            f"{ours:.1f} ms",
            f"{ours / bare:.2f}x",
            f"bare view {bare:.1f} ms; <= 3x",
            ours / bare <= 3,
        )

        # Theme page POST: saving a changed theme, against a bare update of the same rows.
        def theme_post(evidence: str) -> dict:
            versions = dict(
                Answer.objects.filter(assessment=current).values_list("question__code", "version")
            )
            data = {"draft": "1"}
            for question in framework.themes.get(code="PP").questions.all():
                if not question.applies_to(current.partnership.nation):
                    continue
                answer = Answer.objects.get(assessment=current, question=question)
                data[f"{question.code}-question_code"] = question.code
                data[f"{question.code}-version"] = str(versions[question.code])
                data[f"{question.code}-evidence"] = evidence
                if answer.selected:
                    key = "option" if question.kind in ("single", "yes_no") else "options"
                    data[f"{question.code}-{key}"] = [str(pk) for pk in answer.selected]
                for name in ("numerator", "denominator", "number"):
                    if getattr(answer, name) is not None:
                        data[f"{question.code}-{name}"] = str(getattr(answer, name))
                for name, attr in (
                    ("date_value", "date_value"),
                    ("period_start", "period_start"),
                    ("period_end", "period_end"),
                ):
                    value = getattr(answer, attr)
                    if value:
                        (
                            data[f"{question.code}-{name}_0"],
                            data[f"{question.code}-{name}_1"],
                            data[f"{question.code}-{name}_2"],
                        ) = value.day, value.month, value.year
            return data

        counter = iter(range(10_000))
        posts = []

        def save_once():
            response = client.post(
                f"/assessments/{current.code}/themes/PP/",
                theme_post(f"Audit of cases, round {next(counter)}"),
            )
            posts.append(response.status_code)

        post_ms = median_ms(save_once, repeat)
        if set(posts) != {302}:
            broken.append(f"theme POST answered {sorted(set(posts))}")
        bare_post = median_ms(
            lambda: (
                QuerySet(Answer)
                .filter(assessment=current, question__theme__code="PP")
                .update(evidence=f"x{next(counter)}")
            ),
            repeat,
        )
        add(
            "Theme page POST (save a theme)",
            f"{post_ms:.1f} ms",
            f"{post_ms / bare:.2f}x",
            f"vs bare GET {bare:.1f} ms; bare UPDATE of the rows {bare_post:.1f} ms",
        )

        # Results pages: constant queries whatever the number of cycles.
        # The first and the last cycle, or (for a comparison, which needs a previous cycle) the
        # second and the last.
        first, last = assessments[0], assessments[cycles - 1]
        for name, url in [
            ("Results", "/assessments/{}/results"),
            ("Compared with the case study areas", "/assessments/{}/benchmarks"),
            ("Compare two cycles", "/assessments/{}/compare"),
            ("Trend", "/assessments/{}/trend"),
            ("Dashboard", "/partnerships/{}/"),
        ]:

            def get(a, url=url, name=name):
                target = a.partnership.code if name == "Dashboard" else a.code
                return client.get(url.format(target))

            measured = []
            for a in (assessments[1], last) if name == "Compare two cycles" else (first, last):
                get(a)  # charts drawn and cached
                with CaptureQueriesContext(connection) as q:
                    assert get(a).status_code == 200
                measured.append(len(q))
            same = measured[0] == measured[1]
            if not same:
                broken.append(f"{name} queries grow with cycles: {measured}")
            ms = median_ms(lambda: get(last), repeat)
            add(
                f"{name}: queries / time",
                f"{measured[1]} q, {ms:.1f} ms",
                f"{ms / bare:.2f}x",
                f"1 vs {cycles} cycles: {measured[0]} vs {measured[1]} queries",
                same,
            )

        # Scoring one assessment of the full framework, and a synthetic 150-question one.
        questions = framework_questions(framework, "england")
        answers = list(Answer.objects.filter(assessment=current))
        specs = [spec_of(q) for q in questions]
        codes = {q.pk: q.code for q in questions}
        data = [data_of(a, codes[a.question_id]) for a in answers if a.question_id in codes]
        score_ms = median_ms(lambda: scoring.score(specs, data, date.today()), max(repeat, 50))
        many = (specs * 2)[:150]
        many = [
            scoring.QuestionSpec(
                f"{s.theme}-{i:03d}", s.theme, s.kind, s.weight, s.critical, s.options, s.bands
            )
            for i, s in enumerate(many)
        ]
        many_data = [
            scoring.AnswerData(
                f"{many[i].theme}-{i:03d}",
                d.selected,
                d.numerator,
                d.denominator,
                d.number,
                d.date_value,
                d.not_applicable,
            )
            for i, d in enumerate((data * 2)[:150])
        ]
        score150 = median_ms(lambda: scoring.score(many, many_data, date.today()), max(repeat, 50))
        add("Scoring: the full framework", f"{score_ms:.2f} ms", "", f"{len(specs)} questions")
        add("Scoring: 150 questions", f"{score150:.2f} ms", "", "< 5 ms", score150 < 5)

        # The PDF: ours end to end, against WeasyPrint alone on the same HTML.
        from weasyprint import HTML

        html = pdf.render_html(current)
        ours_pdf, alone = median_ms_pair(
            lambda: pdf.render_pdf(current),
            lambda: HTML(string=html).write_pdf(),
            max(1, repeat // 3),
        )
        _, pages = pdf.html_to_pdf(html)
        add(
            "PDF review report (draft)",
            f"{ours_pdf:.0f} ms, {pages} pages",
            f"{ours_pdf / alone:.2f}x",
            f"WeasyPrint alone {alone:.0f} ms; <= 1.25x",
            ours_pdf / alone <= 1.25,
        )

        # A signed-off report: rendered once by a worker after sign-off (here the task runs in
        # this process, as the worker would), then served from storage.
        confirm_answers(
            assessment=current,
            questions=framework_questions(current.framework, current.partnership.nation),
            user=lead,
        )
        submit(assessment=current, user=lead)
        record_board_approval(
            assessment=current,
            user=lead,
            meeting=current.period_end,
            name="Bench lead",
            role="Partnership business manager",
        )
        current = Assessment.objects.get(pk=current.pk)
        start = time.perf_counter()
        render_stored_report.call(str(current.code))
        first_ms = (time.perf_counter() - start) * 1000
        first_download = b"".join(
            client.get(f"/assessments/{current.code}/report.pdf").streaming_content
        )
        stored_ms = median_ms(
            lambda: b"".join(
                client.get(f"/assessments/{current.code}/report.pdf").streaming_content
            ),
            repeat,
        )
        same_bytes = first_download == b"".join(
            client.get(f"/assessments/{current.code}/report.pdf").streaming_content
        )
        add(
            "Stored report download",
            f"{stored_ms:.1f} ms",
            f"{stored_ms / bare:.2f}x",
            f"rendered by the task in {first_ms:.0f} ms; identical bytes: {same_bytes}",
            stored_ms < 50 and same_bytes,
        )
        if not quick:
            # Drafts of the latest cycle (the one signed off above would refuse saves).
            drafts = [
                a for a in assessments if a.period_end == current.period_end and a.pk != current.pk
            ]
            self.load_test(add, broken, [str(a.code) for a in drafts[:50]], lead)
        return rows, broken

    def load_test(self, add, broken, codes: list[str], lead) -> None:
        """50 users for 60 s against gunicorn (2 workers) on this PostgreSQL database, with the
        production settings (DEBUG off, collected static files, Secure cookies), as behind a
        TLS-terminating proxy; tests/load/locustfile.py plays the proxy and the browsers."""
        import csv
        import http.client
        import shutil
        import socket
        import subprocess
        import sys
        import tempfile

        if connection.vendor != "postgresql" or not shutil.which(
            "locust", path=str(Path(sys.executable).parent)
        ):
            add("Load test (locust)", "not run", "", "needs PostgreSQL (DATABASE_URL) and locust")
            return
        bin_dir = Path(sys.executable).parent
        db = connection.settings_dict
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        work = Path(tempfile.mkdtemp(prefix="bench-load-"))
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
        from django.contrib.sessions.backends.db import SessionStore
        from django.core.management.utils import get_random_secret_key

        # One signed-in session per simulated person, made here: fifty sign-ins from one address
        # in a few seconds would (rightly) be throttled, which is not what this measures. They are
        # signed with the server's secret key, as gunicorn's own sessions would be.
        secret_key = get_random_secret_key()
        sessions = []
        with override_settings(SECRET_KEY=secret_key):
            for _ in range(50):
                store = SessionStore()
                store[SESSION_KEY] = str(lead.pk)
                store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
                store[HASH_SESSION_KEY] = lead.get_session_auth_hash()
                store.create()
                sessions.append(store.session_key)
        (work / "codes.json").write_text(json.dumps({"codes": codes, "sessions": sessions}))
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            # The production settings, unchanged: the proxy's X-Forwarded-Proto header (sent by
            # the locustfile) is what makes plain HTTP on loopback count as HTTPS.
            "DEBUG": "0",
            "PROXY_SSL_HEADER": "X-Forwarded-Proto",
            "SECRET_KEY": secret_key,
            "ALLOWED_HOSTS": "127.0.0.1",
            "STATIC_ROOT": str(work / "static"),
            "CACHE_URL": "",
            "BENCH_CODES": str(work / "codes.json"),
        }
        collected = subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=settings.BASE_DIR,
            env=env,
            check=False,
            capture_output=True,
            text=True,
        )
        if collected.returncode:
            broken.append(f"load test: collectstatic failed: {collected.stderr.strip()[-300:]}")
            return

        def ask(path: str, headers: dict) -> tuple[int, str, bytes]:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                return response.status, response.getheader("Location", ""), response.read()
            finally:
                conn.close()

        server = subprocess.Popen(  # noqa: S603
            [
                str(bin_dir / "gunicorn"),
                "assessment.wsgi",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            cwd=settings.BASE_DIR,
            env=env,
        )
        try:
            for _ in range(60):
                try:
                    plain = ask("/", {})
                    break
                except OSError:  # refused until gunicorn listens
                    time.sleep(0.5)
            else:
                broken.append("load test: gunicorn did not start")
                return
            # Production settings, or the figures mean nothing: plain HTTP is sent to https, and
            # a missing page is the service's own 404, not Django's technical page.
            missing = ask("/bench-no-such-page/", {"X-Forwarded-Proto": "https"})
            if plain[:2] != (301, f"https://127.0.0.1:{port}/") or (
                missing[0] != 404 or b"Using the URLconf" in missing[2]
            ):
                broken.append(
                    f"load test: gunicorn is not running with the production settings "
                    f"(/ over http: {plain[:2]}; a missing page: {missing[0]})"
                )
                return
            subprocess.run(  # noqa: S603
                [
                    str(bin_dir / "locust"),
                    "-f",
                    "tests/load/locustfile.py",
                    "--headless",
                    "-u",
                    "50",
                    "-r",
                    "10",
                    "-t",
                    "60s",
                    "--host",
                    f"http://127.0.0.1:{port}",
                    "--csv",
                    str(work / "load"),
                    "--only-summary",
                ],
                cwd=settings.BASE_DIR,
                env=env,
                check=False,
                capture_output=True,
                timeout=180,
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
            shutil.rmtree(work / "static", ignore_errors=True)
            # gunicorn kept its connections (CONN_MAX_AGE); the test database is dropped next.
            with connection.cursor() as cursor:
                for _ in range(20):
                    cursor.execute(
                        "SELECT count(*) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                    if not cursor.fetchone()[0]:
                        break
                    time.sleep(0.5)
        with open(work / "load_stats.csv", newline="") as stats:
            total = next(row for row in csv.DictReader(stats) if row["Name"] == "Aggregated")
        requests, failures = int(total["Request Count"]), int(total["Failure Count"])
        p50, p95 = total["50%"], total["95%"]
        add(
            "Load test: 50 users, 60 s, gunicorn x2, PostgreSQL, DEBUG off",
            f"{requests} requests, {failures} errors",
            "",
            f"p50 {p50} ms, p95 {p95} ms; no errors",
            failures == 0,
        )
        if failures:
            with open(work / "load_failures.csv", newline="") as errors:
                reasons = [
                    f"{row['Name']}: {row['Error']} x{row['Occurrences']}"
                    for row in csv.DictReader(errors)
                ]
            broken.append(f"load test: {failures} failed requests ({'; '.join(reasons[:3])})")
        # An exception in the locustfile (a page that changed shape) is not a failed request.
        with open(work / "load_exceptions.csv", newline="") as raised:
            exceptions = [f"{row['Message']} x{row['Count']}" for row in csv.DictReader(raised)]
        if exceptions:
            broken.append(f"load test: the locustfile raised {'; '.join(exceptions[:3])}")

    def write(
        self,
        target: Path,
        rows: list[dict],
        partnerships: int,
        cycles: int,
        repeat: int,
        quick: bool,
    ) -> None:
        engine = connection.settings_dict["ENGINE"].rsplit(".", 1)[-1]
        lines = [
            "# Benchmarks",
            "",
            f"Written by `python manage.py bench{' --quick' if quick else ''}` on {timezone.localtime():%d %B %Y, %H:%M}.",
            "",
            f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{engine} database. Data set: {partnerships} partnerships x {cycles} cycles of the full framework "
            f"(fictional). Times are medians of {repeat} runs ({repeat * 2 + 1} for the theme page; the theme page and the PDF are timed in turns with their baselines); ratios are to a baseline measured in the same run "
            "(a bare Django view reading the same rows with the ORM and rendering their content with one "
            "template, with no access checks, forms, GOV.UK markup or layout; or WeasyPrint alone on the same "
            "HTML). Pages other than the theme page are compared with the theme page's baseline.",
            "",
            "| measurement | value | ratio | budget / note |",
            "| --- | --- | --- | --- |",
        ]
        lines += [f"| {r['what']} | {r['value']} | {r['ratio']} | {r['budget']} |" for r in rows]
        lines += [
            "",
            "Query budgets are enforced: the command fails when one is broken. Time ratios are reported, not asserted.",
            "",
            "The load test (locust, 50 people for 60 s against gunicorn with 2 workers) runs in the full benchmark when the database is PostgreSQL (DATABASE_URL). It runs gunicorn with the production settings (DEBUG off, collected static files, Secure cookies), as behind a TLS-terminating proxy: locust sends the proxy's `X-Forwarded-Proto: https` header and the cookies itself.",
            "",
            "Budgets (from the design):",
            "",
            *[f"- {text}" for text in BUDGETS.values()],
            "",
        ]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(lines), encoding="utf-8")
        self.stdout.write(f"Wrote {target}")
