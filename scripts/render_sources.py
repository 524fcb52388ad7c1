"""Write docs/sources.md from the bundled sources file (src/llm_tco/data/sources.yaml).

Run from the repository root after editing the sources file: ``python scripts/render_sources.py``
(``--check`` exits 1 when the page is out of date).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from llm_tco.report.sources_md import sources_markdown

PAGE = Path(__file__).resolve().parent.parent / "docs" / "sources.md"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/sources.md is out of date")
    args = parser.parse_args(argv)
    text = sources_markdown()
    if args.check:
        if not PAGE.is_file() or PAGE.read_text(encoding="utf-8") != text:
            print(f"{PAGE} is out of date: run python scripts/render_sources.py", file=sys.stderr)
            return 1
        return 0
    PAGE.parent.mkdir(parents=True, exist_ok=True)
    PAGE.write_text(text, encoding="utf-8")
    print(f"wrote {PAGE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
