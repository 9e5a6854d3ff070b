"""A county's files as its offices keep them → the county folder (``fpplan init``), the official monthly report
(``fpplan import-reports``), and the fill-in template (``fpplan template``). See docs/data-files.md."""

from fpplan.data.intake.build import init_county

__all__ = ["init_county"]
