"""Where people live: distances (straight line × detour, or travel time over roads), coverage of women 15–49 by
each station's service radius, the mobile vehicles the villages beyond reach need, and where new stations should
stand (p-median and maximal covering, solved exactly as integer programs).

Engines are pure: tables and config in, tables out. Imported on first use, so that importing one module does not
load the solver. The local projection and the road network are building blocks of the data layer too
(``fpplan.data.base``).
"""

from __future__ import annotations

__all__ = [
    "LocalProjection",
    "Metric",
    "SiteChoice",
    "SpatialBase",
    "choose_sites",
    "coverage",
    "setting_results",
    "spatial_results",
]

_WHERE = {
    "LocalProjection": "fpplan.data.base.local_projection",
    "Metric": "fpplan.spatial.distance",
    "SiteChoice": "fpplan.spatial.siting",
    "SpatialBase": "fpplan.spatial.base",
    "choose_sites": "fpplan.spatial.siting",
    "coverage": "fpplan.spatial.coverage",
    "setting_results": "fpplan.spatial.results",
    "spatial_results": "fpplan.spatial.results",
}


def __getattr__(name: str):
    if name in _WHERE:
        from importlib import import_module

        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(name)
