"""The roster projected year by year: who is in post at each station and specialty in each year of the plan.

- People in post today leave in the year they reach the retirement age of their sex (``wisn.yaml``
  ``retirement_age``: 男60、女55, the county's configuration): a person born in year b with retirement age a is in
  post in year y iff y < b + a (:func:`retire_years`). In the roster's own year (``as_of``, the base year) everyone
  listed is in post, as the data say (someone kept on past the age leaves at that year's end).
- The recruitment plan's hires enter in their hiring year and stay until they too reach the retirement age: a hire
  is taken to be ``age_at_hire`` old when hired (recruitment.yaml) and, the sex of a future hire being unknown, to
  retire at the earlier of the configured ages (:func:`hire_tenure`): in post in years t … t + tenure − 1.

FTE and persons are both counted: a half-time person is 0.5 FTE and 1 person; a hire is 1 FTE and 1 person.
Columns say which (``*_fte``, ``*_persons``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

ROSTER_COLUMNS = [
    "station",
    "specialty",
    "year",
    "in_post_fte",
    "in_post_persons",
    "retired_fte",
    "retired_persons",
    "hired_fte",
    "hired_persons",
    "staff_fte",
    "staff_persons",
]


def retire_years(staff: pd.DataFrame, retirement_age: dict[str, int]) -> pd.Series:
    """The year a person leaves: birth year + retirement age of their sex (in post in year y iff y < it)."""
    return (staff["birth_year"] + staff["sex"].map(retirement_age)).astype(int)


def hire_tenure(retirement_age: dict[str, int], age_at_hire: int) -> int:
    """Years a hire stays in post: the earlier retirement age (a future hire's sex is not known) − age at hire."""
    return max(int(min(retirement_age.values())) - int(age_at_hire), 1)


def _counts(station, specialty, fte, start, stop, years: np.ndarray) -> pd.DataFrame:
    """Σ FTE and persons of the people in post (start ≤ year < stop) by station, specialty and year."""
    alive = (np.asarray(start)[:, None] <= years[None, :]) & (years[None, :] < np.asarray(stop)[:, None])
    n, k = alive.shape
    frame = pd.DataFrame(
        {
            "station": np.repeat(np.asarray(station, dtype=object), k),
            "specialty": np.repeat(np.asarray(specialty, dtype=object), k),
            "year": np.tile(years, n),
            "fte": (alive * np.asarray(fte, float)[:, None]).ravel(),
            "persons": alive.ravel().astype(int),
        }
    )
    return frame.groupby(["station", "specialty", "year"], as_index=True)[["fte", "persons"]].sum()


def projected_roster(
    staff: pd.DataFrame,
    hires: pd.DataFrame,
    years,
    retirement_age: dict[str, int],
    tenure: int | None = None,
    as_of: int | None = None,
) -> pd.DataFrame:
    """Staff in post by station × specialty × year.

    ``staff``: the roster (station_code, specialty, fte, sex, birth_year); ``hires``: the recruitment plan (year,
    station, specialty; each hire 1 FTE); ``tenure``: years a hire stays (:func:`hire_tenure`; None: to the end);
    ``as_of``: the roster's year (everyone listed is in post then; None: the retirement rule in every year).
    Returns station, specialty, year, in_post_fte / in_post_persons (today's roster still in post),
    retired_fte / retired_persons (today's roster gone by that year), hired_fte / hired_persons (hires in post),
    staff_fte / staff_persons (in post + hired); every station × specialty of roster or hires in every year."""
    years = np.asarray(sorted(int(y) for y in years))
    far = 10**6
    leave = retire_years(staff, retirement_age).to_numpy()
    if as_of is not None:
        leave = np.maximum(leave, int(as_of) + 1)
    roster = _counts(staff["station_code"], staff["specialty"], staff["fte"], np.full(len(staff), -far), leave, years)
    everyone = _counts(
        staff["station_code"],
        staff["specialty"],
        staff["fte"],
        np.full(len(staff), -far),
        np.full(len(staff), far),
        years,
    )
    start = hires["year"].to_numpy(int)
    stop = start + (tenure if tenure is not None else far)
    hired = _counts(hires["station"], hires["specialty"], np.ones(len(hires)), start, stop, years)
    pairs = (
        pd.concat(
            [
                staff[["station_code", "specialty"]].set_axis(["station", "specialty"], axis=1),
                hires[["station", "specialty"]],
            ]
        )
        .drop_duplicates()
        .sort_values(["station", "specialty"])
    )
    index = pd.MultiIndex.from_frame(pairs.merge(pd.DataFrame({"year": years}), how="cross"))
    roster, everyone, hired = (f.reindex(index, fill_value=0) for f in (roster, everyone, hired))
    out = index.to_frame(index=False)
    out["in_post_fte"] = roster["fte"].to_numpy(float)
    out["in_post_persons"] = roster["persons"].to_numpy(int)
    out["retired_fte"] = everyone["fte"].to_numpy(float) - out["in_post_fte"]
    out["retired_persons"] = everyone["persons"].to_numpy(int) - out["in_post_persons"]
    out["hired_fte"] = hired["fte"].to_numpy(float)
    out["hired_persons"] = hired["persons"].to_numpy(int)
    out["staff_fte"] = out["in_post_fte"] + out["hired_fte"]
    out["staff_persons"] = out["in_post_persons"] + out["hired_persons"]
    out["year"] = out["year"].astype(int)
    return out[ROSTER_COLUMNS]
