"""The open-weight model catalog (``llm_tco/data/open_models.yaml``): architectures for the capacity model.

A model is found by its short id, its Hugging Face repo id, any listed alias, or a chat/instruct/quantised
variant of one of those (``meta-llama/Llama-2-70b-chat-hf`` → ``llama-2-70b``): the organisation prefix
and variant suffixes are stripped before a second look-up.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from typing import Literal

from pydantic import Field, model_validator

from llm_tco.capacity.specs import MlaSpec, ModelSpec, MoeSpec
from llm_tco.catalog._load import AliasIndex, StrictModel, load_bundled, normalise_name

__all__ = [
    "OpenModel",
    "OpenModelCatalog",
    "get_open_model",
    "list_open_models",
    "model_spec",
    "open_model_catalog",
    "variant_base_name",
]


class Moe(StrictModel):
    """Mixture-of-experts layout."""

    experts: int = Field(ge=2)
    experts_per_token: int = Field(ge=1)
    shared_experts: int = Field(ge=0)
    expert_intermediate_size: int = Field(ge=1)
    moe_layers: int = Field(ge=1)


class Mla(StrictModel):
    """Multi-head latent attention dimensions."""

    kv_lora_rank: int = Field(ge=1)
    qk_rope_head_dim: int = Field(ge=0)
    qk_nope_head_dim: int = Field(ge=1)
    v_head_dim: int = Field(ge=1)
    q_lora_rank: int | None = None


class SlidingWindow(StrictModel):
    """Layers that attend (and cache) only the last ``window_tokens`` tokens."""

    window_tokens: int = Field(ge=1)
    sliding_layers: int = Field(ge=1)


class OpenModel(StrictModel):
    """One catalog entry."""

    id: str
    name: str
    hf_id: str
    aliases: list[str] = Field(default_factory=list)
    family: str
    licence: str
    context_length: int = Field(ge=1)
    total_params_b: float = Field(gt=0)
    active_params_b: float = Field(gt=0)
    layers: int = Field(ge=1)
    hidden_size: int = Field(ge=1)
    attention_heads: int = Field(ge=1)
    kv_heads: int = Field(ge=1)
    head_dim: int = Field(ge=1)
    attention: Literal["mha", "gqa", "mla"]
    intermediate_size: int = Field(ge=1)
    mlp: Literal["gated", "plain"]
    vocab_size: int = Field(ge=1)
    tied_embeddings: bool
    sliding_window: SlidingWindow | None = None
    mla: Mla | None = None
    moe: Moe | None = None
    source: str
    params_source: str
    as_of: date
    base_model: bool = False
    """A pretrained-only model with no instruction-tuned release by its publisher: it continues text
    rather than following instructions, so the plan never proposes it for a workload."""
    deprecated_on: date | None = None
    """When the publisher deprecated (stopped supporting) the model."""
    superseded_by: str | None = None
    """Catalog id of the publisher's successor in the same size class."""
    lifecycle_source: str | None = None
    """Where ``base_model``, ``deprecated_on`` or ``superseded_by`` come from (URL and date)."""

    @model_validator(mode="after")
    def _consistent(self) -> OpenModel:
        if (self.base_model or self.deprecated_on or self.superseded_by) and not self.lifecycle_source:
            raise ValueError("base_model, deprecated_on and superseded_by need a lifecycle_source")
        if self.attention == "mla" and self.mla is None:
            raise ValueError("attention 'mla' needs the mla dimensions")
        if self.sliding_window and self.sliding_window.sliding_layers > self.layers:
            raise ValueError("sliding_layers exceeds layers")
        if self.moe and self.moe.moe_layers > self.layers:
            raise ValueError("moe_layers exceeds layers")
        if self.active_params_b > self.total_params_b:
            raise ValueError("active_params_b exceeds total_params_b")
        return self


class OpenModelCatalog(StrictModel):
    """The whole file."""

    schema_version: int
    models: list[OpenModel]

    @model_validator(mode="after")
    def _successors_exist(self) -> OpenModelCatalog:
        ids = {m.id for m in self.models}
        for model in self.models:
            if model.superseded_by is not None and model.superseded_by not in ids:
                raise ValueError(f"{model.id}: superseded_by {model.superseded_by!r} is not a catalog id")
        return self


@functools.cache
def open_model_catalog() -> OpenModelCatalog:
    """The bundled open-model catalog (validated once)."""
    return load_bundled("open_models.yaml", OpenModelCatalog)


_VARIANT_TOKENS = re.compile(
    r"-(instruct|chat|hf|it|base|fp8|fp4|nvfp4|mxfp4|awq|gptq|int4|int8|w4a16|w8a8|bf16|thinking|\d{4})(?=-|$)"
)


def variant_base_name(name: str) -> str:
    """``name`` without organisation prefix and variant suffixes: ``Qwen/Qwen3-235B-A22B-Instruct-2507-FP8``
    → ``qwen3-235b-a22b``; ``meta-llama/Llama-2-70b-chat-hf`` → ``llama-2-70b``."""
    key = normalise_name(name).rsplit("/", 1)[-1]
    previous = None
    while previous != key:
        previous = key
        key = _VARIANT_TOKENS.sub("", key)
    return key.removeprefix("meta-")


@functools.cache
def _index() -> AliasIndex:
    entries = []
    for m in open_model_catalog().models:
        names = [m.hf_id, m.name, *m.aliases]
        names += [variant_base_name(n) for n in names if variant_base_name(n) != normalise_name(m.id)]
        entries.append((m.id, list(dict.fromkeys(names))))
    return AliasIndex("model", entries)


def list_open_models() -> list[OpenModel]:
    """Every model in file order."""
    return list(open_model_catalog().models)


def get_open_model(name: str) -> OpenModel:
    """The model ``name`` designates; ``LookupFailedError`` with suggestions otherwise."""
    model_id = _index().resolve(name, variant_base_name(name))
    return next(m for m in open_model_catalog().models if m.id == model_id)


def model_spec(model: OpenModel) -> ModelSpec:
    """The capacity model's view of ``model``."""
    moe = (
        MoeSpec(
            experts=model.moe.experts,
            experts_per_token=model.moe.experts_per_token,
            shared_experts=model.moe.shared_experts,
            expert_intermediate_size=model.moe.expert_intermediate_size,
            moe_layers=model.moe.moe_layers,
        )
        if model.moe
        else None
    )
    mla = (
        MlaSpec(
            kv_lora_rank=model.mla.kv_lora_rank,
            qk_rope_head_dim=model.mla.qk_rope_head_dim,
            qk_nope_head_dim=model.mla.qk_nope_head_dim,
            v_head_dim=model.mla.v_head_dim,
        )
        if model.mla
        else None
    )
    return ModelSpec(
        id=model.id,
        total_params=model.total_params_b * 1e9,
        active_params=model.active_params_b * 1e9,
        layers=model.layers,
        hidden_size=model.hidden_size,
        attention_heads=model.attention_heads,
        kv_heads=model.kv_heads,
        head_dim=model.head_dim,
        attention=model.attention,
        intermediate_size=model.intermediate_size,
        vocab_size=model.vocab_size,
        tied_embeddings=model.tied_embeddings,
        gated_mlp=model.mlp == "gated",
        sliding_window_tokens=model.sliding_window.window_tokens if model.sliding_window else None,
        sliding_layers=model.sliding_window.sliding_layers if model.sliding_window else 0,
        moe=moe,
        mla=mla,
    )
