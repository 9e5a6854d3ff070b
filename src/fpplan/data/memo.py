"""What is derived from one County, computed once per County object.

A ``County`` is frozen: a table derived from it (its villages, the unit → township roll-up, the periods its registers
cover, the service coefficients …) never changes while the object lives, yet the engines ask for the same ones
many times per results computation (every level, period kind, indicator and scenario). :func:`per_county` keeps such
a value on the County object itself, the way :func:`functools.cached_property` does on a frozen dataclass: no
global state, nothing kept once the County is dropped, and a County made by ``dataclasses.replace`` (other
tables) starts with nothing kept. Callers get their own copy of a kept DataFrame, Series, list, set or dict
(pandas copies are copy-on-write: cheap), so changing what they get never changes what is kept.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import pandas as pd

F = TypeVar("F", bound=Callable[..., Any])
_SLOT = "_fpplan_memo"


def callers_copy(value: Any) -> Any:
    """A value the caller may change without changing the kept one: frames copy-on-write, containers shallow."""
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return value.copy(deep=False)  # copy-on-write: the caller's changes stay the caller's
    if isinstance(value, (list, dict, set)):
        return type(value)(value)
    return value


def per_county(fn: F) -> F:
    """``fn(county, *args, **kwargs)`` (arguments hashable: levels, period kinds, codes) computed once per County object and
    arguments."""
    name = f"{fn.__module__}.{fn.__qualname__}"

    @functools.wraps(fn)
    def wrapper(county, *args, **kwargs):
        try:
            memo = county.__dict__[_SLOT]
        except KeyError:
            memo = county.__dict__[_SLOT] = {}
        except AttributeError:  # not a County (a stand-in without __dict__): nothing kept
            return fn(county, *args, **kwargs)
        key = (name, args, tuple(sorted(kwargs.items())))
        try:
            value = memo[key]
        except KeyError:
            value = memo[key] = fn(county, *args, **kwargs)
        except TypeError:  # an argument that cannot be a key: computed, not kept
            return fn(county, *args, **kwargs)
        return callers_copy(value)

    return wrapper  # type: ignore[return-value]
