"""Write the report document's JSON Schema to ``schema/report.schema.json`` (or check it is current).

Usage (from the repository root)::

    python scripts/write_schema.py [--check]

The schema is generated from the pydantic models (``llm_tco.report.document``); run this after changing
any field of the audit or plan document and commit the result. ``--check`` exits 1 when the committed
file differs from the models, without writing (a test runs the same comparison).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from llm_tco.report.document import schema_text

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schema" / "report.schema.json"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed schema is stale")
    args = parser.parse_args()
    text = schema_text()
    current = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.exists() else None
    if args.check:
        if current != text:
            print(f"{SCHEMA_FILE} is stale: run python scripts/write_schema.py", file=sys.stderr)
            return 1
        return 0
    SCHEMA_FILE.parent.mkdir(parents=True, exist_ok=True)
    SCHEMA_FILE.write_text(text, encoding="utf-8")
    print(f"wrote {SCHEMA_FILE}" + (" (unchanged)" if current == text else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
