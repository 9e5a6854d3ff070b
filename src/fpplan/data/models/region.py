"""The optional ``region.yaml`` of a region folder (a prefecture 州/地区 or a province): its name and code."""

from __future__ import annotations

from pydantic import Field

from fpplan.data.models import Frozen


class RegionConfig(Frozen):
    """``name: {zh: 演示州, en: demo prefecture}``, ``code: "6523"`` (administrative division code), ``source``;
    where the counties' results are computed (``fpplan.app.region_results``): ``scheduler`` a dask.distributed
    address (``tcp://HOST:8786``; every worker must see the region folder at the same path) or ``local`` (a
    LocalCluster on this machine), empty for worker processes on this machine; ``workers`` how many processes
    (0: one per core)."""

    name: dict[str, str] = Field(default_factory=dict)  # zh and/or en
    code: str = ""
    source: str = ""
    scheduler: str = ""
    workers: int = Field(default=0, ge=0)
