"""Where people live: distances (straight line × detour, or travel time over roads), coverage of women 15–49 by
each station's service radius, the mobile vehicles the villages beyond reach need, and where new stations should
stand (p-median and maximal covering, solved exactly as integer programs).

Engines are pure: tables and config in, tables out. Imported on first use, so that ``fpplan.data`` can use the
light helpers (projection, network) without loading the solver.
"""

from __future__ import annotations

__all__ = ["LocalProjection", "Metric", "SiteChoice", "choose_sites", "coverage", "spatial_results"]

_WHERE = {"LocalProjection": "projection", "Metric": "distance", "SiteChoice": "siting", "choose_sites": "siting",
          "coverage": "coverage", "spatial_results": "results"}


def __getattr__(name: str):
    if name in _WHERE:
        from importlib import import_module

        return getattr(import_module(f"fpplan.spatial.{_WHERE[name]}"), name)
    raise AttributeError(name)
