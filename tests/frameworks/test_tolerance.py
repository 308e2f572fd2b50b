"""The framework's tolerance for agencies' figures (format 2): how far apart two agencies'
rates or counts may be before the moderation page marks them as disagreeing."""

import pytest

from assessment.frameworks import export, load, validate, with_contents
from assessment.models import Framework
from tests.factories import framework_data


def test_a_format_2_file_may_set_the_tolerance_and_it_round_trips(db):
    data = framework_data(format=2) | {"tolerance": 25}
    assert validate(data, "bank.yaml") == []
    framework, _ = load(data)
    assert framework.tolerance == 25
    exported = export(with_contents(Framework.objects.filter(pk=framework.pk)).get())
    assert exported["tolerance"] == 25
    assert validate(exported, "export.json") == []


def test_without_it_the_tolerance_is_ten_per_cent(db):
    framework, _ = load(framework_data(format=2))
    assert framework.tolerance == Framework.TOLERANCE == 10
    legacy, _ = load(framework_data(version="1.1"))
    assert legacy.tolerance == 10
    assert "tolerance" not in export(legacy)  # a format 1 file has no such key


@pytest.mark.parametrize("value", [-1, 101, 2.5, "10", True, None])
def test_a_tolerance_that_is_not_a_whole_percentage_is_refused(value):
    data = framework_data(format=2) | {"tolerance": value}
    assert (
        f"bank.yaml: framework: field 'tolerance' must be a whole percentage from 0 to 100, not {value!r}"
        in validate(data, "bank.yaml")
    )


def test_a_format_1_file_cannot_set_it():
    data = framework_data() | {"tolerance": 10}
    assert "bank.yaml: framework: field 'tolerance' needs format 2" in validate(data, "bank.yaml")
