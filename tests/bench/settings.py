"""The service's settings as deployed, with the bare views of tests/bench/baselines.py served
beside the pages: used only by the gunicorn the benchmark starts (tests/bench/load.py)."""

from assessment.settings import *  # noqa: F403

ROOT_URLCONF = "tests.bench.baselines"
