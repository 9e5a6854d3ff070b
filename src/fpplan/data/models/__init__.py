"""Pydantic models of every configuration file a county can edit (frozen, unknown keys are errors); grouped by
the engine that reads them. A model is the schema of its YAML file, as ``fpplan.data.schema`` is of the tables."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Frozen(BaseModel):
    """Base of every config model: immutable, unknown keys are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def check_error(key: str, **fields: object) -> Exception:
    """A model's own check as a pydantic error, shown in the user's language: the sentence is the label
    ``ui.lang_check_<key>`` (defaults/labels/lang.yaml) with ``fields``; :func:`fpplan.data.config.parse` shows it
    in Chinese or English. Raise it from a validator instead of a ValueError with an English sentence."""
    from pydantic_core import PydanticCustomError

    from fpplan.data.labels import label

    return PydanticCustomError(
        "fpplan_check", label("ui", f"lang_check_{key}", "en"), {"key": key, **{k: str(v) for k, v in fields.items()}}
    )


def check_errors(found: list[tuple[str, dict]]) -> Exception:
    """Several checks of one model at once (each (key, fields) as :func:`check_error`): one problem each."""
    from pydantic_core import PydanticCustomError

    from fpplan.data.labels import label

    text = "; ".join(label("ui", f"lang_check_{k}", "en").format(**f) for k, f in found)
    return PydanticCustomError(
        "fpplan_checks",
        text.replace("{", "(").replace("}", ")"),
        {"checks": [(k, {n: str(v) for n, v in f.items()}) for k, f in found]},
    )
