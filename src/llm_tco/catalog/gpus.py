"""The GPU catalog (``llm_tco/data/gpus.yaml``): specifications, interconnect, purchase and cloud prices.

``get_gpu('H100 SXM')`` resolves any listed spelling; ``gpu_spec`` turns an entry into the
``capacity.GpuSpec`` the serving model uses; ``hourly_price`` picks a cloud price by deployment mode.
"""

from __future__ import annotations

import functools
import statistics
from datetime import date
from typing import Literal

from pydantic import Field

from llm_tco.capacity.specs import GpuSpec
from llm_tco.catalog._load import AliasIndex, StrictModel, load_bundled
from llm_tco.errors import LookupFailedError

__all__ = [
    "CloudPrice",
    "Deployment",
    "Gpu",
    "GpuCatalog",
    "get_gpu",
    "gpu_catalog",
    "gpu_spec",
    "hourly_price",
    "list_gpus",
    "select_gpus",
]

Deployment = Literal["on-demand", "reserved-1y", "reserved-3y", "spot"]


class DenseTflops(StrictModel):
    """Dense (no sparsity) tensor-core peaks in TFLOPS (TOPS for int8); null where the GPU has no path."""

    bf16: float | None
    fp16: float | None
    fp8: float | None
    int8: float | None
    fp4: float | None


class Interconnect(StrictModel):
    """Scale-up link (NVLink / Infinity Fabric) and PCIe, GB/s per direction per GPU."""

    nvlink_gb_per_s_per_direction: float | None
    nvlink_domain_gpus: int = Field(ge=1)
    pcie_gb_per_s_per_direction: float = Field(gt=0)
    internode_gb_per_s_per_direction: float | None = Field(default=None, gt=0)
    """Network bandwidth per GPU between servers (e.g. one 400 Gb/s NIC per GPU = 50 GB/s); None: no
    replica is considered across servers."""
    source: str
    as_of: date


class ReportedMemory(StrictModel):
    """Total memory the driver reports (``nvidia-smi`` / ``rocm-smi``), in bytes; null when not found."""

    bytes: int | None = Field(default=None, gt=0)
    source: str
    as_of: date


class PurchasePrice(StrictModel):
    """Typical purchase price of one GPU (null when no figure was published)."""

    value: float | None = Field(default=None, gt=0)
    source: str
    as_of: date


class CloudPrice(StrictModel):
    """One provider's published price per GPU-hour for a deployment mode."""

    provider: str
    deployment: Deployment
    usd_per_gpu_hour: float = Field(gt=0)
    regions: list[str] | None
    source: str
    as_of: date


class Gpu(StrictModel):
    """One catalog entry."""

    id: str
    name: str
    vendor: Literal["nvidia", "amd"]
    aliases: list[str] = Field(default_factory=list)
    memory_gb: float = Field(gt=0)
    memory_type: str
    memory_reported: ReportedMemory
    hbm_bandwidth_tb_per_s: float = Field(gt=0)
    dense_tflops: DenseTflops
    tdp_w: float | None = Field(gt=0)
    source: str
    verification: str
    as_of: date
    interconnect: Interconnect
    purchase_price_usd: PurchasePrice
    cloud_prices: list[CloudPrice]

    def prices(self, deployment: Deployment) -> list[CloudPrice]:
        """Published prices for ``deployment``, cheapest first."""
        return sorted(
            (p for p in self.cloud_prices if p.deployment == deployment), key=lambda p: p.usd_per_gpu_hour
        )


class GpuCatalog(StrictModel):
    """The whole file."""

    schema_version: int
    gpus: list[Gpu]


@functools.cache
def gpu_catalog() -> GpuCatalog:
    """The bundled GPU catalog (validated once)."""
    return load_bundled("gpus.yaml", GpuCatalog)


@functools.cache
def _index() -> AliasIndex:
    return AliasIndex("GPU", ((g.id, [*g.aliases, g.name]) for g in gpu_catalog().gpus))


def list_gpus() -> list[Gpu]:
    """Every GPU in file order."""
    return list(gpu_catalog().gpus)


def get_gpu(name: str) -> Gpu:
    """The GPU ``name`` designates (id, name or alias, case-insensitive); ``LookupFailedError`` otherwise."""
    gpu_id = _index().resolve(name)
    return next(g for g in gpu_catalog().gpus if g.id == gpu_id)


def hourly_price(gpu: Gpu, deployment: Deployment = "on-demand", provider: str | None = None) -> float | None:
    """A price per GPU-hour for ``deployment``: the named provider's, else the median over providers;
    ``None`` when none is published (the caller must flag it, never assume $0)."""
    prices = gpu.prices(deployment)
    if provider is not None:
        prices = [p for p in prices if p.provider == provider]
        if not prices:
            known = sorted({p.provider for p in gpu.cloud_prices})
            raise LookupFailedError(f"{deployment} price provider for {gpu.id}", provider, known or None)
    if not prices:
        return None
    return float(statistics.median(p.usd_per_gpu_hour for p in prices))


_UNVERIFIED_HINTS = {
    "TFLOPS": "dense_tflops",
    "TDP": "tdp_w",
    "all values": "all specifications",
    "tensor": "dense_tflops",
}


def gpu_spec(gpu: Gpu) -> GpuSpec:
    """The capacity model's view of ``gpu`` (SI units)."""
    tflops = gpu.dense_tflops
    flops = {
        "bf16": tflops.bf16,
        "fp16": tflops.fp16,
        "fp8": tflops.fp8,
        "int8": tflops.int8,
        "fp4": tflops.fp4,
    }
    link = gpu.interconnect
    unverified = tuple(
        sorted({field for hint, field in _UNVERIFIED_HINTS.items() if hint in gpu.verification})
    )
    return GpuSpec(
        id=gpu.id,
        memory_bytes=float(gpu.memory_reported.bytes or gpu.memory_gb * 1e9),
        hbm_bandwidth_bytes_per_s=gpu.hbm_bandwidth_tb_per_s * 1e12,
        dense_flops_per_s={k: (v * 1e12 if v else None) for k, v in flops.items()},
        scaleup_link_bytes_per_s=(
            link.nvlink_gb_per_s_per_direction * 1e9 if link.nvlink_gb_per_s_per_direction else None
        ),
        scaleup_domain_gpus=link.nvlink_domain_gpus,
        pcie_link_bytes_per_s=link.pcie_gb_per_s_per_direction * 1e9,
        unverified=unverified,
        internode_link_bytes_per_s=(
            link.internode_gb_per_s_per_direction * 1e9 if link.internode_gb_per_s_per_direction else None
        ),
    )


def select_gpus(names: list[str]) -> list[str]:
    """Catalog ids for the GPUs a configuration names (``[gpu] gpus``), in catalog order.

    A name is an id or alias (``h100-sxm5`` → ``h100-sxm``), or a family (``H100``: every catalog variant
    whose id starts with ``h100-``, i.e. SXM, PCIe and NVL — a user writing the family means any of them).
    An unknown name raises ``LookupFailedError`` with the closest spellings, so a typo never silently
    removes self-hosting from the plan.
    """
    ids = [g.id for g in gpu_catalog().gpus]
    chosen: set[str] = set()
    for name in names:
        key = name.strip().lower().replace(" ", "-").replace("_", "-")
        if key in ids:
            chosen.add(key)
            continue
        family = [gpu_id for gpu_id in ids if gpu_id.startswith(key + "-")]
        if family:
            chosen.update(family)
            continue
        chosen.add(_index().resolve(name))
    return [gpu_id for gpu_id in ids if gpu_id in chosen]
