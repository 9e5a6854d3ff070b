"""The demo county, written deterministically: ``fpplan demo OUT_DIR`` (``write_demo``)."""

from fpplan.demo.county import write_demo

__all__ = ["write_demo"]
