"""The quality catalog (``llm_tco/data/quality_scores.yaml``) and the quality ratio the plan filters on.

A candidate's quality ratio is its score ÷ the current model's score on the first benchmark (in the file's
order) that both have — never across benchmarks or index versions. Arena-style Elo ratings (``scale: elo``)
enter only as the probability of beating the current model, scaled so that an equal model has ratio 1:
``ratio = 2 · P(win) = 2 / (1 + 10^((elo_current - elo_candidate) / 400))``.

When no common score exists the ratio is unknown (None) and the plan applies ``quality.unknown`` from the
configuration; it never invents a score.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from pydantic import Field, model_validator

from llm_tco.catalog._load import StrictModel, load_bundled, normalise_name

__all__ = [
    "Benchmark",
    "QualityCatalog",
    "QualityEntry",
    "QualityIndex",
    "QualityRatio",
    "Score",
    "model_spellings",
    "quality_catalog",
    "quality_index",
    "same_model",
]


class Benchmark(StrictModel):
    """One leaderboard or benchmark; ``percent`` scores are on 0-100, ``elo`` are arena ratings."""

    id: str
    name: str
    scale: Literal["percent", "elo"]
    description: str


class Score(StrictModel):
    """One published score (``value`` null when none was found — kept to record that it was looked for)."""

    benchmark: str
    value: float | None = Field(ge=0)
    source: str
    as_of: date


class QualityEntry(StrictModel):
    """One model: genai-prices id (API models) or open-model catalog slug (open-weight models)."""

    id: str
    kind: Literal["closed", "open"]
    aliases: list[str] = Field(default_factory=list)
    scores: list[Score]


class QualityCatalog(StrictModel):
    """The whole file."""

    schema_version: int
    tasks: dict[str, list[str]] = Field(default_factory=dict)
    """Workload task → the benchmarks its ratio may use, in order (absent: every benchmark, file order)."""
    benchmarks: list[Benchmark]
    models: list[QualityEntry]

    @model_validator(mode="after")
    def _consistent(self) -> QualityCatalog:
        scales = {b.id: b.scale for b in self.benchmarks}
        for task, benchmarks in self.tasks.items():
            for benchmark in benchmarks:
                if benchmark not in scales:
                    raise ValueError(f"task {task}: unknown benchmark {benchmark!r}")
        seen: set[str] = set()
        for entry in self.models:
            for name in (entry.id, *entry.aliases):
                key = normalise_name(name)
                if key in seen:
                    raise ValueError(f"model name {name!r} appears twice")
                seen.add(key)
            for score in entry.scores:
                if score.benchmark not in scales:
                    raise ValueError(f"{entry.id}: unknown benchmark {score.benchmark!r}")
                if score.value is not None and scales[score.benchmark] == "percent" and score.value > 100:
                    raise ValueError(f"{entry.id}: {score.benchmark} score {score.value} is above 100")
        return self


@functools.cache
def quality_catalog() -> QualityCatalog:
    """The bundled quality catalog (validated once)."""
    return load_bundled("quality_scores.yaml", QualityCatalog)


@dataclass(frozen=True)
class QualityRatio:
    """A candidate's quality relative to the current model, and where it comes from."""

    ratio: float | None
    basis: Literal["same-model", "benchmark", "override", "eval", "unknown"]
    benchmark: str | None = None
    candidate_score: float | None = None
    current_score: float | None = None
    note: str | None = None


class QualityIndex:
    """Look-ups over a :class:`QualityCatalog`."""

    def __init__(self, catalog: QualityCatalog) -> None:
        self._catalog = catalog
        self._scales = {b.id: b.scale for b in catalog.benchmarks}
        self._order = [b.id for b in catalog.benchmarks]
        self._by_name: dict[str, QualityEntry] = {}
        self._ratios: dict[tuple[str, str, str], QualityRatio] = {}
        """:meth:`ratio`'s answers (a plan asks for the same pairs for every workload on a model)."""
        for entry in catalog.models:
            for name in (entry.id, *entry.aliases):
                self._by_name[normalise_name(name)] = entry

    def entry(self, model: str) -> QualityEntry | None:
        """The entry for a model id or alias (case- and separator-insensitive), or None.

        Provider spellings find their model through the same resolver as pricing: a Bedrock id
        (``us.anthropic.claude-sonnet-4-5-20250929-v1:0``), a Vertex id (``claude-sonnet-4-5@20250929``),
        an Azure deployment or a dated snapshot (``gpt-4o-2024-11-20``) is tried as written, as
        genai-prices resolves it, and without its region/vendor prefix, version and date suffixes."""
        for name in model_spellings(model):
            found = self._by_name.get(normalise_name(name))
            if found is not None:
                return found
        return None

    def benchmarks_for(self, task: str) -> list[str]:
        """The benchmarks a ``task`` compares models on, in order (unknown task: every benchmark)."""
        return list(self._catalog.tasks.get(task, self._order))

    def closed_models(self) -> list[str]:
        """Ids of the closed models the catalog covers (the closed-API candidates)."""
        return [e.id for e in self._catalog.models if e.kind == "closed"]

    def _scores(self, model: str) -> dict[str, float]:
        entry = self.entry(model)
        if entry is None:
            return {}
        return {s.benchmark: s.value for s in entry.scores if s.value is not None}

    def ratio(self, candidate: str, current: str, task: str = "general") -> QualityRatio:
        """Quality of ``candidate`` relative to ``current`` on the benchmarks of ``task`` (see the module
        docstring); memoised (the catalog does not change, and the answer is immutable)."""
        key = (candidate, current, task)
        found = self._ratios.get(key)
        if found is None:
            found = self._ratios[key] = self._ratio(candidate, current, task)
        return found

    def _ratio(self, candidate: str, current: str, task: str) -> QualityRatio:
        if normalise_name(candidate) == normalise_name(current) or (
            self.entry(candidate) is not None and self.entry(candidate) is self.entry(current)
        ):
            return QualityRatio(1.0, "same-model")
        order = self.benchmarks_for(task)
        mine = {k: v for k, v in self._scores(candidate).items() if k in order}
        theirs = {k: v for k, v in self._scores(current).items() if k in order}
        for benchmark in order:
            if benchmark in mine and benchmark in theirs:
                a, b = mine[benchmark], theirs[benchmark]
                if self._scales[benchmark] == "elo":
                    ratio = 2.0 / (1.0 + 10.0 ** ((b - a) / 400.0))
                elif b > 0:
                    ratio = a / b
                else:
                    continue
                return QualityRatio(ratio, "benchmark", benchmark, a, b)
        missing = [m for m, s in ((candidate, mine), (current, theirs)) if not s]
        scope = f" on the {task} benchmarks ({', '.join(order)})"
        note = (
            f"no published score for {', '.join(missing)}{scope}"
            if missing
            else f"no benchmark scored for both {candidate} and {current}{scope}"
        )
        return QualityRatio(None, "unknown", note=note)


_PROVIDER_PREFIX = re.compile(r"^(?:(?:us|eu|apac|au|jp|ca|global|regional)\.)?(?:[a-z]+\.)?")
"""Bedrock's inference-profile region and vendor prefixes (``us.anthropic.``); letters only, so that the
version dot of ``gpt-4.1`` or ``qwen2.5`` is never taken for one."""
_VERSION_SUFFIX = re.compile(r"(?:-v\d+(?::\d+)?|@[\w.-]+)$")
_DATE_SUFFIX = re.compile(r"-(?:\d{8}|\d{4}-\d{2}-\d{2}|\d{4})$")


@functools.lru_cache(maxsize=4096)
def model_spellings(model: str) -> tuple[str, ...]:
    """The names a model id may be catalogued under, most specific first (see ``QualityIndex.entry``)."""
    from llm_tco.catalog.model_names import resolve_model

    names = [model]
    resolved = resolve_model(None, model, suggest=False).model
    if resolved:
        names.append(resolved)
    bare = _VERSION_SUFFIX.sub("", _PROVIDER_PREFIX.sub("", model.rsplit("/", 1)[-1]))
    for name in (bare, _DATE_SUFFIX.sub("", bare)):
        names.append(name)
        again = resolve_model(None, name, suggest=False).model
        if again:
            names.append(again)
    return tuple(dict.fromkeys(n for n in names if n))


@functools.cache
def quality_index() -> QualityIndex:
    """The index over the bundled catalog."""
    return QualityIndex(quality_catalog())


def same_model(a: str, b: str) -> bool:
    """Whether two ids name the same model (any provider spelling; see ``QualityIndex.entry``)."""
    keys_a = {normalise_name(n) for n in model_spellings(a)}
    return any(normalise_name(n) in keys_a for n in model_spellings(b))
