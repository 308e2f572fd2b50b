"""Hypothesis profiles: ``ci`` tries today's number of examples, ``dev`` a quarter of them.

``HYPOTHESIS_PROFILE`` chooses; without it, CI (``CI`` set, as ``.ci/run`` does) uses ``ci`` and a
developer's run uses ``dev``. Both are derandomised: the same examples on every run and machine,
so a red build always means the same thing, and a failure found in CI is found again locally
with ``HYPOTHESIS_PROFILE=ci``.
"""

import os

from hypothesis import settings

PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")

settings.register_profile("ci", derandomize=True, database=None)
settings.register_profile("dev", derandomize=True, database=None, max_examples=25)
settings.register_profile("deterministic", settings.get_profile("ci"))  # the former name
settings.load_profile(PROFILE)


def examples(ci: int) -> int:
    """How many examples a property test tries: ``ci`` under the ci profile, a quarter of it
    (at least 10) under dev."""
    return max(10, ci // 4) if PROFILE == "dev" else ci
