"""Content files parsed once per process: a changed file is parsed again, and callers do not
share the data."""

import pytest
import yaml

from assessment import yaml_files


def test_a_file_rewritten_with_the_same_size_is_parsed_again(tmp_path):
    path = tmp_path / "bank.yaml"
    path.write_text("good: 1\n", encoding="utf-8")
    assert yaml_files.parse_file(path) == {"good": 1}
    path.write_text("good: 2\n", encoding="utf-8")  # same size, perhaps the same mtime
    assert yaml_files.parse_file(path) == {"good": 2}


def test_each_caller_gets_its_own_copy(tmp_path):
    path = tmp_path / "set.yaml"
    path.write_text("recommendations: [{number: '1'}]\n", encoding="utf-8")
    first = yaml_files.parse_file(path)
    first["recommendations"][0]["number"] = "changed"
    assert yaml_files.parse_file(path) == {"recommendations": [{"number": "1"}]}


def test_the_c_loader_is_used_and_it_is_a_safe_one():
    assert yaml_files.YAML_LOADER is yaml.CSafeLoader
    with pytest.raises(yaml.YAMLError):  # a safe loader refuses to build Python objects
        yaml_files.parse("!!python/object/apply:os.system ['true']")
