"""YAML files of content (question banks, recommendation sets): parsed with the C loader, once.

The C loader parses the real question bank about seven times faster than PyYAML's own; PyYAML
built without libyaml lacks it, and then the pure-Python safe loader is used. Both are safe
loaders: plain data only, never objects.

A file is parsed once per process for as long as its text is unchanged: reading every version
of the question bank for each recommendation set, each command and each test would otherwise
parse the same megabyte again and again. Each caller gets its own copy of the data, free to
change.
"""

import copy
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse(text: str) -> Any:
    """The data of a YAML document (raises ``yaml.YAMLError``)."""
    return yaml.load(text, Loader=YAML_LOADER)  # noqa: S506 (a safe loader, see above)


def parse_file(path: Path) -> Any:
    """The data of a YAML file, parsed once for each text it has had (raises ``OSError``,
    ``UnicodeDecodeError`` or ``yaml.YAMLError``; a failure is not cached)."""
    return copy.deepcopy(_parsed(path.read_text(encoding="utf-8")))


@lru_cache(maxsize=32)
def _parsed(text: str) -> Any:
    # Keyed by the text itself, not the file's modification time, whose resolution is too
    # coarse for a file rewritten within the same few milliseconds.
    return parse(text)
