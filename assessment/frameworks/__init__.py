"""The question bank file (YAML) -> validated models, and models -> JSON.

Three jobs, one module each: ``validation`` (every problem in a file, with its location),
``loading`` (read a file, write it in one transaction) and ``export`` (models back to plain data).
The format is documented in docs/framework-format.md.
"""

from assessment.frameworks.export import export, with_contents
from assessment.frameworks.loading import content_hash, load, read
from assessment.frameworks.validation import FrameworkError, validate

__all__ = ["FrameworkError", "content_hash", "export", "load", "read", "validate", "with_contents"]
