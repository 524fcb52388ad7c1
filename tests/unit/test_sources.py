"""Every default and catalog figure names a source that ships with the package.

The sources file (``llm_tco/data/sources.yaml``) is the only place a citation may point: a user of the
installed package — possibly in an air-gapped site — has neither the repository nor the internet, so a source
that names a file beside the repository, or an id missing from the file, is a broken promise.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from llm_tco.catalog.sources import citation_problem, cited_ids, load_sources
from llm_tco.config.model import Config, WorkloadConfig
from llm_tco.plan.uncertainty.defaults import global_specs
from llm_tco.report.sources_md import sources_markdown

REPO = Path(__file__).resolve().parents[2]
DATA = resources.files("llm_tco") / "data"
CATALOG_FILES = ("gpus.yaml", "open_models.yaml", "quality_scores.yaml", "api_regions.yaml")
SOURCE_KEYS = ("source", "params_source", "lifecycle_source")


def _config_sources(model: type[BaseModel], prefix: str = "") -> Iterator[tuple[str, str]]:
    """(key path, source text) of every documented field, nested tables included."""
    for name, info in model.model_fields.items():
        extra = info.json_schema_extra
        if isinstance(extra, dict) and "source" in extra:
            yield f"{prefix}{name}", str(extra["source"])
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from _config_sources(annotation, f"{prefix}{name}.")


def _catalog_sources(node: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in SOURCE_KEYS and isinstance(value, str):
                yield f"{path}.{key}", value
            else:
                yield from _catalog_sources(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _catalog_sources(value, f"{path}[{index}]")


def _all_catalog_sources() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for name in CATALOG_FILES:
        found += _catalog_sources(yaml.safe_load((DATA / name).read_text(encoding="utf-8")), name)
    calibration = json.loads((DATA / "capacity_calibration.json").read_text(encoding="utf-8"))
    found += _catalog_sources(calibration, "capacity_calibration.json")
    return found


def _all_config_sources() -> list[tuple[str, str]]:
    """Every configuration default's source, and those of the default distributions of the Monte Carlo."""
    distributions = [(f"uncertainty.{s.name}", s.source) for s in global_specs(Config())]
    return (
        list(_config_sources(Config))
        + list(_config_sources(WorkloadConfig, "workloads.<name>."))
        + distributions
    )


def test_every_config_default_cites_a_bundled_source_or_says_it_is_an_assumption() -> None:
    sources = _all_config_sources()
    assert len(sources) > 60  # the walk reached the nested tables
    problems = [f"{key}: {problem}" for key, text in sources if (problem := citation_problem(text))]
    assert problems == []


def test_every_catalog_entry_cites_a_bundled_source() -> None:
    sources = _all_catalog_sources()
    assert len(sources) > 150
    problems = [f"{key}: {problem}" for key, text in sources if (problem := citation_problem(text))]
    assert problems == []


def test_the_published_defaults_cite_the_studies_they_come_from() -> None:
    """Spot checks against the figures themselves: the cited entry must say the number the default uses."""
    defaults = dict(_all_config_sources())
    sources = load_sources()
    staffing = cited_ids(defaults["staffing.loaded_cost_usd_per_fte_year"])
    assert staffing == ["kshirol-learnai-inference"]
    assert "$100–400K" in sources["kshirol-learnai-inference"].says
    pue = cited_ids(defaults["owned.pue"])
    assert pue == ["uptime-survey-2023"] and "1.58" in sources["uptime-survey-2023"].says


def test_every_bundled_source_is_cited_somewhere() -> None:
    """No orphan entries: each one exists because a default or a catalog figure rests on it."""
    cited = {i for _, text in _all_config_sources() + _all_catalog_sources() for i in cited_ids(text)}
    # ids named inside a rule's wording (e.g. "(openai-batch)") count as cited too
    texts = " ".join(text for _, text in _all_config_sources())
    cited |= {i for i in load_sources() if re.search(rf"\b{re.escape(i)}\b", texts)}
    assert sorted(set(load_sources()) - cited) == []


def test_each_source_has_an_address_or_says_why_not_and_a_date() -> None:
    for source in load_sources().values():
        assert source.url is None or source.url.startswith("https://"), source.id
        if source.url is None:
            assert "public" in source.title or "public" in source.publisher, source.id
        assert source.says.strip() and source.as_of.year >= 2026


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("kshirol-learnai-inference: 0.5-2 FTE", None),
        ("nvidia-h100 + nvidia-hopper-whitepaper: figures", None),
        ("llm-tco assumption (N+1), no published figure found: set your own", None),
        ("none (unset: 24/7)", None),
        ("[capacity].ttft_p99_ms", None),
        ("no-such-source: a figure", "unknown source id(s) no-such-source"),
        ("shared/reference/PUBLISHED_FIGURES.md §2.2", "cites no source id"),
        ("issue 5 §1", "cites no source id"),
    ],
)
def test_citation_rule(text: str, problem: str | None) -> None:
    found = citation_problem(text)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


def test_no_package_text_points_outside_the_package() -> None:
    """Files beside the repository and issue numbers mean nothing to a user of the installed package."""
    package = REPO / "src" / "llm_tco"
    pattern = re.compile(
        r"shared/(reference|data)|PUBLISHED_FIGURES|\bissue \d+\b|\.\./shared", re.IGNORECASE
    )
    offenders = [
        f"{path.relative_to(REPO)}:{number}"
        for path in sorted(package.rglob("*"))
        if path.suffix in {".py", ".yaml", ".json", ".toml", ".md"}
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if pattern.search(text)
    ]
    assert offenders == []


def test_docs_sources_page_is_current() -> None:
    """docs/sources.md is generated: refresh it with ``python scripts/render_sources.py``."""
    assert (REPO / "docs" / "sources.md").read_text(encoding="utf-8") == sources_markdown()


def test_catalog_sources_command_shows_one_source_and_rejects_unknown_ids(cli: Any) -> None:
    shown = cli("catalog", "sources", "uptime-survey-2023", "--json")
    assert shown.code == 0
    (entry,) = shown.json()["sources"]
    assert entry["url"].startswith("https://uptimeinstitute.com/") and "1.58" in entry["says"]
    unknown = cli("catalog", "sources", "no-such-id")
    assert unknown.code == 2 and "no-such-id" in unknown.err and len(unknown.err.strip().splitlines()) == 1
