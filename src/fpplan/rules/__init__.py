"""The rule sets the seeds spell out: the demand survey (seed 000 §三(一)) and the staff exams (§三(三)2⑥)."""

from fpplan.rules.exams import exam_consequences
from fpplan.rules.survey import survey_rollup

__all__ = ["exam_consequences", "survey_rollup"]
