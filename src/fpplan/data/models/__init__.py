"""Pydantic models of every configuration file a county can edit (frozen, unknown keys are errors); grouped by
the engine that reads them. A model is the schema of its YAML file, as ``fpplan.data.schema`` is of the tables."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Frozen(BaseModel):
    """Base of every config model: immutable, unknown keys are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid")
