"""The optional ``region.yaml`` of a region folder (a prefecture 州/地区 or a province): its name and code."""

from __future__ import annotations

from pydantic import Field

from fpplan.data.models import Frozen


class RegionConfig(Frozen):
    """``name: {zh: 演示州, en: demo prefecture}``, ``code: "6523"`` (administrative division code), ``source``."""

    name: dict[str, str] = Field(default_factory=dict)  # zh and/or en
    code: str = ""
    source: str = ""
