"""fpplan: planning workbench for county family-planning and reproductive-health service networks."""

from fpplan.data.errors import DataError, Problem

__all__ = ["County", "DataError", "Problem", "load_county"]


def __getattr__(name: str):
    # load_county and County live in fpplan.data, imported on first use to keep `import fpplan` light.
    if name in ("County", "load_county"):
        from fpplan.data import county as data

        return getattr(data, name)
    raise AttributeError(name)
