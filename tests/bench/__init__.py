"""The benchmark: time and queries of the main pages against bare Django baselines, scoring,
the PDF against WeasyPrint alone, a stored PDF, and (on PostgreSQL) a load test; it writes
docs/benchmarks.md. ``manage.py bench`` is its entry point; it lives here, with the tests, because
it is a tool for developers and CI, not part of the service.

Runs on a throwaway database (never the real one). Times are medians of repeated runs,
reported as ratios to a baseline measured in the same run; they are reported, not asserted.
Query counts are budgets: the command exits non-zero when one is broken.

- ``data.py``: the fictional partnerships and cycles
- ``baselines.py``: the bare Django views the pages are measured against
- ``runner.py``: measuring and writing the report
- ``load.py``: the load test (locust against gunicorn; the people are in ``tests/load/``)

Not collected by pytest (no ``test_`` modules).
"""
