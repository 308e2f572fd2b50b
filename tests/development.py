"""Loaded by pytest before Django starts (``-p tests.development`` in pyproject.toml): the tests
run in development mode, chosen explicitly, since DEBUG is off when it is not set."""

import os

os.environ.setdefault("DEBUG", "true")
