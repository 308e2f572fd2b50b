"""The partnership's data going out and coming back, as documented in docs/export-format.md:
CSV files (``csv_files``), the JSON export (``json_export``) and its import (``json_import``)."""

from assessment.exports.csv_files import answers_csv_rows, csv_response, csv_text, safe_cell
from assessment.exports.json_export import SCHEMA, SCHEMA_VERSION, export_assessment, export_zip
from assessment.exports.json_import import (
    MAX_BYTES,
    ImportProblem,
    import_assessment,
    parse_json,
    plan,
)

__all__ = [
    "MAX_BYTES",
    "SCHEMA",
    "SCHEMA_VERSION",
    "ImportProblem",
    "answers_csv_rows",
    "csv_response",
    "csv_text",
    "export_assessment",
    "export_zip",
    "import_assessment",
    "parse_json",
    "plan",
    "safe_cell",
]
