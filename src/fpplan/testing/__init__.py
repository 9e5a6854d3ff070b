"""Helpers for tests and trials: a county's files written the way county offices hand them over
(:mod:`fpplan.testing.office`)."""
