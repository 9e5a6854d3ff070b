"""The recruitment plan to the plan year: the fewest hires (then the cheapest plan) that meets, in every year from
the plan's first year to the plan year, given retirements,

- the WISN need: per cadre for the county (Σ stations' required FTE) and per station in total (Σ cadres);
- the head-count norms of each station (:func:`fpplan.planning.staffing.head_count_norms`);
- every structure rule of seed 000 §三(三) (a share of technical FTE, a count of persons, or "everyone": share
  1); rules marked ``holds: plan_year`` only in the plan year.

An integer program solved by HiGHS (highspy, the model PuLP would pass it built as arrays: :class:`_Program`). Decisions: hires h[year, station, specialty] (each 1 FTE, in post
from the hiring year to the plan year), the qualifications of the hires q[year, specialty, profile] (education ×
title × a licence matching the specialty, recruitment.yaml), and training of the people in post up one level
u[group, upgrade, year] (at most once per person, at most ``max_per_year`` a year and at least ``min_per_year`` as far
as anyone in post is left to train, seed 000 §三(三)2③). People in post are grouped by everything the rules read (no decision per person). Staff leave in
the year they reach the retirement age of their sex (wisn.yaml); a hire stays ``tenure`` years
(:func:`fpplan.planning.roster.hire_tenure`): the roster the rules see is :func:`fpplan.planning.roster.projected_roster`.

Stage 1 minimises 1000 × Σ slack + Σ hires, every constraint having a slack (the amount it is short by). Non-zero
slack means no plan can meet the rules: the slacks say which rule, which year and by how many. The yearly training
minimum is the exception: its slack weighs 0.01 (training is free in stage 1, so the plan trains as many as it can)
and a year short of it, once everyone trainable is trained, is reported (``training_shortfalls``), not refused. Stage 2 keeps the
fewest hires and minimises the cost: hires' yearly cost × years in post up to the plan year + training costs.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import itertools
import os
import sys
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from fpplan.data.labels import enum_label, label, ui
from fpplan.data.models.planning import RecruitmentConfig, Standards
from fpplan.planning.roster import retire_years
from fpplan.planning.staffing import qualified, technical, with_licence_match

PENALTY = 1000.0  # per unit of slack, against 1 per hire: any feasible plan beats any infeasible one
SOFT = 0.01  # per trainee short of the yearly minimum: train whoever can be trained, never at the cost of a hire
TOLERANCE = 1e-6
ATTRIBUTES = ["station_code", "specialty", "education", "title", "licence", "medical", "fte", "retire_year"]
HIRE_COLUMNS = [
    "hire_id",
    "year",
    "station",
    "specialty",
    "education",
    "title",
    "licence",
    "medical",
    "annual_cost_wan_yuan",
]
TRAINING_COLUMNS = [
    "staff_id",
    "station",
    "specialty",
    "year",
    "upgrade",
    "field",
    "from_value",
    "to_value",
    "cost_wan_yuan",
]
SHORTFALL_COLUMNS = ["constraint", "rule", "year", "station", "cadre", "short_by", "unit"]


@dataclass(frozen=True)
class StaffPlan:
    """The recruitment plan and the staff it leaves in every year.

    ``hires``: one row per hire (hire_id, year, station, specialty, education, title, licence, medical,
    annual_cost_wan_yuan). ``training``: one row per trainee (pseudonymous staff_id, station, specialty, year,
    upgrade, field, from_value, to_value, cost_wan_yuan). ``head_counts``: station, year, in_post, hired, staff,
    norm, met (technical FTE). ``structure``: rule, year, qualified, staff, value, threshold, kind, holds, met.
    ``wisn``: cadre, year, staff, required, met. ``shortfalls``: constraint, rule, year, station, cadre,
    short_by, unit (empty when the plan meets everything)."""

    status: str  # "optimal" or "infeasible"
    years: np.ndarray
    hires: pd.DataFrame
    training: pd.DataFrame
    head_counts: pd.DataFrame
    structure: pd.DataFrame
    wisn: pd.DataFrame
    shortfalls: pd.DataFrame
    costs: pd.DataFrame  # year, hires_wan_yuan, training_wan_yuan
    notes: tuple[str, ...] = field(default=())  # "solver_stopped": the time limit came first (maybe not the smallest)
    # year, short_by: years with fewer trainees than training.min_per_year because nobody in post was left to train
    training_shortfalls: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["year", "short_by"]))

    @property
    def feasible(self) -> bool:
        return self.status == "optimal"


@contextlib.contextmanager
def _quiet():
    """Silence the C-level stdout while HiGHS runs: it prints its banner at its first start, whatever its options
    (an engine prints nothing)."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no real stdout (some notebook front ends): nothing to silence
        yield
        return
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 1)
        try:
            yield
        finally:
            os.dup2(saved, 1)
            os.close(saved)


class _Program:
    """An integer program built as arrays and solved by HiGHS (highspy) directly: the model PuLP would hand HiGHS
    for the same variables and constraints (columns in the order of their names, PuLP's; rows in the order they
    were added; the same bounds, costs and options), without PuLP's expression objects: the same optimum comes
    back, and only the building is cheaper (HiGHS's own solving is most of the time)."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.integer: list[bool] = []
        self.rows: list[tuple[float, float, np.ndarray, np.ndarray]] = []  # lower, upper, columns, coefficients
        self.values = np.zeros(0)

    def var(self, name: str, upper: float = np.inf, integer: bool = False) -> int:
        """A new variable ≥ 0 (its column number)."""
        self.names.append(name)
        self.lower.append(0.0)
        self.upper.append(float(upper))
        self.integer.append(integer)
        return len(self.names) - 1

    def row(self, lower: float, upper: float, *parts: tuple[np.ndarray, np.ndarray]) -> None:
        """A constraint lower ≤ Σ coefficients × variables ≤ upper, ``parts``: (columns, coefficients) pairs."""
        columns = np.concatenate([np.asarray(c, dtype=np.int64) for c, _ in parts]) if parts else np.zeros(0, int)
        values = np.concatenate([np.asarray(v, dtype=float) for _, v in parts]) if parts else np.zeros(0)
        self.rows.append((float(lower), float(upper), columns, values))

    def key(self, cost: np.ndarray, time_limit: float | None) -> str:
        """A digest of the whole program as HiGHS would get it (names, bounds, integrality, rows, costs, time
        limit): two programs with one digest are the same program."""
        digest = hashlib.blake2b(digest_size=20)
        digest.update("\x1f".join(self.names).encode())
        for part in (self.lower, self.upper, self.integer, cost, [np.nan if time_limit is None else time_limit]):
            digest.update(np.ascontiguousarray(part, dtype=float).tobytes())
        digest.update(np.array([(lo, up, len(c)) for lo, up, c, _ in self.rows], dtype=float).tobytes())
        for _, _, columns, values in self.rows:
            digest.update(np.ascontiguousarray(columns, dtype=np.int64).tobytes())
            digest.update(np.ascontiguousarray(values, dtype=float).tobytes())
        return digest.hexdigest()

    def solve(self, cost: np.ndarray, time_limit: float | None) -> bool:
        """Minimise ``cost`` (one per variable); the values in ``self.values`` (creation order). False when HiGHS
        found no plan to stand by (PuLP's status other than optimal: infeasible, unbounded, an error); a time limit
        reached with a plan in hand counts as solved, as PuLP counts it.

        A program solved to the end is solved once per process (HiGHS, on one thread, gives the same answer to the
        same program): the same county, scenario and rules asked again (the plan page, the workbook, a report's
        notebooks, the explorer) reuse the answer. One stopped by its time limit is solved again."""
        key = self.key(cost, time_limit)
        if key in _SOLVED:
            _SOLVED.move_to_end(key)
            found, values = _SOLVED[key]
            self.values = values.copy()  # the caller's own
            return found
        found, stopped = self._run_highs(cost, time_limit)
        if not stopped:
            _SOLVED[key] = (found, self.values.copy())
            while len(_SOLVED) > KEPT_PROGRAMS:
                _SOLVED.popitem(last=False)
        return found

    def _run_highs(self, cost: np.ndarray, time_limit: float | None) -> tuple[bool, bool]:
        """(a plan to stand by, stopped by a limit before the end) from HiGHS; the values in ``self.values``."""
        import highspy

        n = len(self.names)
        order = np.array(sorted(range(n), key=lambda i: self.names[i].translate(_PULP_NAMES)), dtype=np.int64)
        position = np.empty(n, dtype=np.int64)
        position[order] = np.arange(n)
        with _quiet():
            h = highspy.Highs()
            h.setOptionValue("output_flag", False)
            h.setOptionValue("threads", 1)
            if time_limit is not None:
                h.setOptionValue("time_limit", float(time_limit))
            h.addCols(
                n,
                np.asarray(cost, dtype=float)[order],
                np.asarray(self.lower)[order],
                np.asarray(self.upper)[order],
                0,
                np.zeros(0, np.int32),
                np.zeros(0, np.int32),
                np.zeros(0),
            )
            integer = np.asarray(self.integer, dtype=bool)[order]
            h.changeColsIntegrality(
                int(integer.sum()),
                np.flatnonzero(integer).astype(np.int32),
                np.full(int(integer.sum()), int(highspy.HighsVarType.kInteger), dtype=np.uint8),
            )
            entries = [(position[c][v != 0], v[v != 0]) for _, _, c, v in self.rows]
            starts = np.cumsum([0] + [len(c) for c, _ in entries[:-1]]).astype(np.int32)
            h.addRows(
                len(self.rows),
                np.array([r[0] for r in self.rows], dtype=float),
                np.array([r[1] for r in self.rows], dtype=float),
                int(sum(len(c) for c, _ in entries)),
                starts,
                np.concatenate([c for c, _ in entries]).astype(np.int32) if entries else np.zeros(0, np.int32),
                np.concatenate([v for _, v in entries]) if entries else np.zeros(0),
            )
            h.run()
        status = h.getModelStatus()
        found = np.asarray(h.getSolution().col_value, dtype=float)
        self.values = found[position] if len(found) == n else np.zeros(n)
        kind = highspy.HighsModelStatus
        stopped = status in {kind.kInterrupt, kind.kTimeLimit, kind.kIterationLimit}
        return stopped or status in {kind.kOptimal, kind.kObjectiveBound, kind.kObjectiveTarget}, stopped


KEPT_PROGRAMS = 64  # programs whose answers a process keeps (a few kB each)
_SOLVED: collections.OrderedDict[str, tuple[bool, np.ndarray]] = collections.OrderedDict()


_PULP_NAMES = str.maketrans("-+[] ->/", "________")  # the characters PuLP replaces in a variable's name


def hire_profiles(specialties: list[str], standards: Standards, config: RecruitmentConfig) -> pd.DataFrame:
    """Every qualification a hire can bring: specialty × education × title × a licence matching the specialty
    (any licence where the config lists none), with medical and the yearly cost by title. Licences the rules cannot
    tell apart (same specialty, education and title, qualifying for the same rules) are one profile: the first
    the config lists."""
    rows = [
        (s, e, t, lic)
        for s in specialties
        for e in config.hiring.education
        for t in config.hiring.titles
        for lic in standards.licence_by_specialty.get(s, ("none",))
    ]
    out = pd.DataFrame(rows, columns=["specialty", "education", "title", "licence"])
    out["medical"] = out["specialty"].isin(standards.medical_specialties)
    out["fte"] = 1.0
    out["annual_cost_wan_yuan"] = out["title"].map(config.hiring.annual_cost_wan_yuan).fillna(0.0)
    out = with_licence_match(out, standards)
    signature = pd.DataFrame({r.code: qualified(out, r) for r in standards.structure}, index=out.index)
    keep = ~pd.concat([out[["specialty", "education", "title"]], signature], axis=1).duplicated()
    return out[keep.to_numpy()].reset_index(drop=True)


def _groups(staff: pd.DataFrame, standards: Standards, retirement_age: dict[str, int]) -> pd.DataFrame:
    roster = with_licence_match(
        staff.assign(retire_year=retire_years(staff, retirement_age), medical=staff["medical"].astype(bool)), standards
    )
    roster["technical"] = technical(roster, standards).to_numpy()
    groups = roster.groupby(ATTRIBUTES + ["licence_matches", "technical"], as_index=False, sort=True).agg(
        n=("staff_id", "size"), ids=("staff_id", lambda s: tuple(sorted(s)))
    )
    return groups


def _trainable(groups: pd.DataFrame, standards: Standards, config: RecruitmentConfig) -> pd.DataFrame:
    """Group × upgrade pairs that apply (the group's field holds one of the upgrade's ``from`` values), with the
    change Δ each structure rule sees per person (+1 becomes qualified, −1 stops being)."""
    upgrades = pd.DataFrame(
        [
            {
                "upgrade": u.code,
                "field": u.field,
                "from_values": u.from_,
                "to_value": u.to,
                "specialties": u.specialties,
                "cost_wan_yuan": u.cost_wan_yuan,
            }
            for u in config.training.upgrades
        ]
    )
    if upgrades.empty:
        return pd.DataFrame(columns=["group", "upgrade", "cost_wan_yuan"])
    pairs = groups.reset_index(names="group").merge(upgrades, how="cross")
    value = pd.Series(None, index=pairs.index, dtype=object)  # each pair's value of the field its upgrade changes
    for column in pairs["field"].unique():
        chosen = pairs["field"] == column
        value[chosen] = pairs.loc[chosen, column]
    applies = [
        v in f and (not sp or s in sp)
        for v, f, sp, s in zip(value, pairs["from_values"], pairs["specialties"], pairs["specialty"])
    ]
    pairs = pairs[np.asarray(applies, dtype=bool)].reset_index(drop=True)
    after = pairs.copy()
    for column in ("education", "title", "licence"):
        after[column] = np.where(pairs["field"] == column, pairs["to_value"], pairs[column])
    after = with_licence_match(after, standards)
    before = with_licence_match(pairs, standards)
    for rule in standards.structure:
        pairs[f"delta_{rule.code}"] = qualified(after, rule).astype(int) - qualified(before, rule).astype(int)
    return pairs


class ProgramInputs(NamedTuple):
    """What the recruitment program is built from (``program_inputs``)."""

    years: np.ndarray
    plan_year: int
    groups: pd.DataFrame
    req: pd.DataFrame
    cadres: list
    specialties: list
    tech_specialties: set
    stations: list
    profiles: pd.DataFrame
    pairs: pd.DataFrame
    in_post: np.ndarray  # group × year: still in post
    hired_in_post: np.ndarray  # k × j: a hire of year j still in post in year k
    stay: int  # years a hire stays in post (10**6: to the plan year)


def program_inputs(
    staff: pd.DataFrame,
    required: pd.DataFrame,
    norms: pd.DataFrame,
    standards: Standards,
    config: RecruitmentConfig,
    retirement_age: dict[str, int],
    years,
    tenure: int | None = None,
) -> ProgramInputs:
    """The years, the roster's groups, the requirements of those years, the cadres, specialties (technical ones
    apart), stations, hire profiles and trainable pairs, who is in post when: ``plan_staff``'s arguments made into
    what its program's variables and constraints are indexed by."""
    years = np.asarray(sorted(int(y) for y in years))
    groups = _groups(staff, standards, retirement_age)
    req = required[required["year"].isin(years)]
    cadres = sorted(req["cadre"].unique())
    specialties = list(config.hiring.specialties) or sorted(
        set(cadres) | set(groups.loc[groups["technical"], "specialty"])
    )
    tech_specialties = {s for s in specialties if s not in standards.technical_staff.exclude_specialties}
    stations = sorted(norms["station"].unique()) if len(norms) else sorted(req["station"].unique())
    stay = tenure if tenure is not None else 10**6
    return ProgramInputs(
        years=years,
        plan_year=int(years[-1]),
        groups=groups,
        req=req,
        cadres=cadres,
        specialties=specialties,
        tech_specialties=tech_specialties,
        stations=stations,
        profiles=hire_profiles(specialties, standards, config),
        pairs=_trainable(groups, standards, config),
        in_post=groups["retire_year"].to_numpy()[:, None] > years[None, :],
        # hires of year j still in post in year k (hired in or before k, not yet retired)
        hired_in_post=(years[None, :] <= years[:, None]) & (years[:, None] < years[None, :] + stay),
        stay=stay,
    )


def plan_staff(
    staff: pd.DataFrame,
    required: pd.DataFrame,
    norms: pd.DataFrame,
    standards: Standards,
    config: RecruitmentConfig,
    retirement_age: dict[str, int],
    years,
    tenure: int | None = None,
) -> StaffPlan:
    """The smallest recruitment plan for ``years`` (first year … plan year; the last is the plan year).

    ``staff``: the roster; ``required``: station, cadre, year, required (WISN FTE); ``norms``: station, year, norm
    (head-count norms; the stations hires go to); ``tenure``: years a hire stays in post (None: to the plan year).
    Raises nothing for rules that cannot be met: the plan comes back with ``status == "infeasible"`` and its
    ``shortfalls``."""
    (
        years,
        plan_year,
        groups,
        req,
        cadres,
        specialties,
        tech_specialties,
        stations,
        profiles,
        pairs,
        in_post,
        hired_in_post,
        stay,
    ) = program_inputs(staff, required, norms, standards, config, retirement_age, years, tenure)

    prob = _Program()
    ny, ns, nc = len(years), len(stations), len(specialties)
    # decision variables (column numbers): hires (year, station, specialty), qualifications (year, profile),
    # training (pair, year; -1 where the group has left)
    hv = np.array(
        [prob.var(f"h_{t}_{s}_{c}", integer=True) for t, s, c in itertools.product(years, stations, specialties)],
        dtype=np.int64,
    ).reshape(ny, ns, nc)
    qv = np.array(
        [prob.var(f"q_{t}_{i}", integer=True) for t, i in itertools.product(years, range(len(profiles)))],
        dtype=np.int64,
    ).reshape(ny, len(profiles))
    pair_group = pairs["group"].to_numpy(int) if len(pairs) else np.zeros(0, int)
    group_n = groups["n"].to_numpy(int)
    uv = np.full((len(pairs), ny), -1, dtype=np.int64)
    for p, k in zip(*np.nonzero(in_post[pair_group])):
        uv[p, k] = prob.var(f"u_{p}_{years[k]}", upper=int(group_n[pair_group[p]]), integer=True)
    slacks: list[tuple[int, dict]] = []
    soft: list[tuple[int, int]] = []  # the training minimum's slack per year

    def linear(variables, coefficients=None) -> tuple[np.ndarray, np.ndarray]:
        variables = np.asarray(variables, dtype=np.int64).ravel()
        coefficients = np.ones(len(variables)) if coefficients is None else np.asarray(coefficients, float).ravel()
        keep = (coefficients != 0) & (variables >= 0)
        return variables[keep], coefficients[keep]

    def one(variable: int, coefficient: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
        return np.array([variable]), np.array([coefficient])

    def at_least(constant: float, parts: list, rhs: float, meta: dict) -> None:
        """constant + Σ parts + slack ≥ rhs (the bound as PuLP computes it: −(constant − rhs))."""
        slack = prob.var(f"s_{len(slacks)}")
        prob.row(-(constant - rhs), np.inf, *parts, one(slack))
        slacks.append((slack, meta))

    spec = np.array(specialties, dtype=object)
    is_cadre = np.isin(spec, cadres)
    is_tech = np.isin(spec, sorted(tech_specialties))
    g_spec, g_station = groups["specialty"].to_numpy(), groups["station_code"].to_numpy()
    tech = groups["technical"].to_numpy(bool)
    fte = groups["fte"].to_numpy(float)
    fte_n = fte * group_n
    p_tech = profiles["specialty"].isin(sorted(tech_specialties)).to_numpy()
    of_specialty = [(profiles["specialty"] == c).to_numpy(float) for c in specialties]
    qualifies = {rule.code: qualified(profiles, rule) for rule in standards.structure}
    group_qualifies = {rule.code: qualified(groups, rule) for rule in standards.structure}
    for k, t in enumerate(years):
        now = in_post[:, k]
        # WISN: per cadre for the county, per station in total
        need = req[req["year"] == t]
        by_cadre = need.groupby("cadre")["required"].sum()
        for c in cadres:
            have = fte_n[now & (g_spec == c)].sum()
            at_least(
                have,
                [linear(hv[hired_in_post[k]][:, :, spec == c])],
                float(by_cadre.get(c, 0.0)) - TOLERANCE,
                {"constraint": "wisn_cadre", "year": t, "cadre": c, "unit": "fte"},
            )
        by_station = need.groupby("station")["required"].sum()
        for j, s in enumerate(stations):
            have = fte_n[now & (g_station == s) & np.isin(g_spec, cadres)].sum()
            at_least(
                have,
                [linear(hv[hired_in_post[k]][:, j, is_cadre])],
                float(by_station.get(s, 0.0)) - TOLERANCE,
                {"constraint": "wisn_station", "year": t, "station": s, "unit": "fte"},
            )
        # head-count norms (technical FTE)
        for s, norm in norms[norms["year"] == t].set_index("station")["norm"].items():
            have = fte_n[now & tech & (g_station == s)].sum()
            at_least(
                have,
                [linear(hv[hired_in_post[k]][:, stations.index(s), is_tech])],
                float(norm) - TOLERANCE,
                {"constraint": "head_count", "year": t, "station": s, "unit": "fte"},
            )
        # structure rules on the technical staff (hires, training and people in post)
        for rule in standards.structure:
            if rule.holds == "plan_year" and t != plan_year:
                continue
            share = rule.min_count is None
            theta = rule.min_share if share else 0.0
            weight = fte if share else np.ones(len(groups))
            const = float(((group_qualifies[rule.code] - theta) * weight * group_n)[now & tech].sum())
            p_coef = np.where(p_tech, qualifies[rule.code] - theta, 0.0)
            hires = linear(qv[hired_in_post[k]], np.tile(p_coef, int(hired_in_post[k].sum())))
            delta = pairs[f"delta_{rule.code}"].to_numpy(float) if len(pairs) else np.zeros(0)
            coef = delta * weight[pair_group] * (tech & now)[pair_group]
            trained = linear(uv[:, : k + 1], np.repeat(coef, k + 1))
            rhs = 0.0 if share else float(rule.min_count)
            at_least(
                const,
                [hires, trained],
                rhs - TOLERANCE,
                {"constraint": "structure", "rule": rule.code, "year": t, "unit": "fte" if share else "persons"},
            )
        # hires' qualifications add up to the hires of each specialty
        for j in range(nc):
            columns, values = linear(qv[k], of_specialty[j])
            prob.row(0.0, 0.0, linear(hv[k, :, j]), (columns, -values))
        trainees = linear(uv[:, k])
        prob.row(-np.inf, config.training.max_per_year, trainees)
        if config.training.min_per_year:
            slack = prob.var(f"t_{t}")
            prob.row(config.training.min_per_year, np.inf, trainees, one(slack))
            soft.append((slack, int(t)))
        if config.hiring.max_per_year is not None:
            slack = prob.var(f"s_{len(slacks)}")
            prob.row(-np.inf, config.hiring.max_per_year, linear(hv[k]), one(slack, -1.0))
            slacks.append((slack, {"constraint": "hire_cap", "year": t, "unit": "persons"}))
    for g in np.unique(pair_group):  # each person in post trained at most once
        prob.row(-np.inf, int(group_n[g]), linear(uv[pair_group == g]))

    total_hires = linear(hv)
    cost = np.zeros(len(prob.names))
    cost[[s for s, _ in slacks]] = PENALTY
    cost[total_hires[0]] += total_hires[1]
    cost[[s for s, _ in soft]] += SOFT
    notes = []
    if not prob.solve(cost, config.solver_time_limit_s):
        notes.append("solver_stopped")
    short = [(meta, float(prob.values[s])) for s, meta in slacks]
    infeasible = any(v > 1e-4 for _, v in short)
    if not infeasible:
        n_hires = round(float(prob.values[total_hires[0]] @ total_hires[1]))
        for s, _ in slacks:
            prob.upper[s] = 0.0
        for s, _ in soft:  # as many trainees as stage 1 found possible
            prob.upper[s] = float(round(prob.values[s]))
        prob.row(-np.inf, n_hires, total_hires)
        in_post_years = (np.minimum(plan_year + 1, years + stay) - years).astype(float)
        # tie-breaks, far below any cost difference: hire late, and into the cadres with the most need there
        last = (
            req[req["year"] == plan_year]
            .pivot_table(index="station", columns="cadre", values="required", aggfunc="sum")
            .reindex(index=stations, columns=specialties)
        )
        fit = 1.0 / (1.0 + last.fillna(0.0).to_numpy())
        cost = np.zeros(len(prob.names))
        for columns, values in (
            linear(qv, np.outer(in_post_years, profiles["annual_cost_wan_yuan"].to_numpy())),
            linear(uv, np.repeat(pairs["cost_wan_yuan"].to_numpy(float) if len(pairs) else np.zeros(0), ny)),
            linear(hv, 1e-3 * in_post_years[:, None, None] + 1e-2 * fit[None, :, :]),
        ):
            cost[columns] = values
        if not prob.solve(cost, config.solver_time_limit_s):
            notes.append("solver_stopped")
    value = np.rint(prob.values).astype(np.int64)  # every variable is an integer but the slacks
    h = {
        (t, s, c): value[hv[a, b, d]]
        for (a, t), (b, s), (d, c) in itertools.product(enumerate(years), enumerate(stations), enumerate(specialties))
    }
    q = {(t, i): value[qv[a, i]] for a, t in enumerate(years) for i in range(len(profiles))}
    u = {(p, years[k]): value[uv[p, k]] for p, k in zip(*np.nonzero(uv >= 0))}
    hires = _hires_table(h, q, profiles)
    training = _training_table(u, pairs, groups)
    shortfalls = pd.DataFrame(
        [dict.fromkeys(SHORTFALL_COLUMNS) | meta | {"short_by": round(v, 2)} for meta, v in short if v > 1e-4],
        columns=SHORTFALL_COLUMNS,
    )
    training_short = pd.DataFrame([(t, value[s]) for s, t in soft if value[s] > 0], columns=["year", "short_by"])
    check = evaluate(staff, hires, training, required, norms, standards, retirement_age, years, tenure)
    costs = pd.DataFrame({"year": years})
    costs["hires_wan_yuan"] = [
        float(hires.loc[(hires["year"] <= t) & (hires["year"] + stay > t), "annual_cost_wan_yuan"].sum()) for t in years
    ]
    costs["training_wan_yuan"] = costs["year"].map(training.groupby("year")["cost_wan_yuan"].sum()).fillna(0.0)
    return StaffPlan(
        status="infeasible" if infeasible else "optimal",
        years=years,
        hires=hires,
        training=training,
        shortfalls=shortfalls,
        costs=costs,
        notes=tuple(dict.fromkeys(notes)),
        training_shortfalls=training_short,
        **check,
    )


def _hires_table(h: dict, q: dict, profiles: pd.DataFrame) -> pd.DataFrame:
    """One row per hire: stations from h, qualifications from q (the solution's integers), matched within (year,
    specialty)."""
    slots = pd.DataFrame(
        [(t, s, c, v) for (t, s, c), v in h.items() if v > 0],
        columns=["year", "station", "specialty", "n"],
    )
    quals = pd.DataFrame([(t, i, v) for (t, i), v in q.items() if v > 0], columns=["year", "profile", "n"])
    if slots.empty:
        return pd.DataFrame(columns=HIRE_COLUMNS)
    slots = slots.loc[slots.index.repeat(slots["n"])].sort_values(["year", "specialty", "station"], kind="stable")
    quals = quals.loc[quals.index.repeat(quals["n"])].join(profiles, on="profile")
    quals = quals.sort_values(["year", "specialty", "title", "education", "licence"], kind="stable")
    out = slots.drop(columns="n").reset_index(drop=True)
    chosen = quals[["education", "title", "licence", "medical", "annual_cost_wan_yuan"]].reset_index(drop=True)
    out = pd.concat([out, chosen], axis=1).sort_values(["year", "station", "specialty"], kind="stable")
    out.insert(0, "hire_id", [f"H{i + 1:03d}" for i in range(len(out))])
    out["year"] = out["year"].astype(int)
    return out[HIRE_COLUMNS].reset_index(drop=True)


def _training_table(u: dict, pairs: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """One row per trainee: the group's pseudonymous ids taken in order, each person once."""
    rows = []
    used: dict[int, int] = {}
    for (p, t), v in sorted(u.items(), key=lambda kv: (kv[0][1], kv[0][0])):  # chosen trainings: a few a year
        n = int(v)
        if n <= 0:
            continue
        g = int(pairs.at[p, "group"])
        ids = groups.at[g, "ids"][used.get(g, 0) : used.get(g, 0) + n]
        used[g] = used.get(g, 0) + n
        pair = pairs.loc[p]
        rows += [
            (
                i,
                pair["station_code"],
                pair["specialty"],
                int(t),
                pair["upgrade"],
                pair["field"],
                pair[pair["field"]],
                pair["to_value"],
                pair["cost_wan_yuan"],
            )
            for i in ids
        ]
    return pd.DataFrame(rows, columns=TRAINING_COLUMNS)


def evaluate(
    staff: pd.DataFrame,
    hires: pd.DataFrame,
    training: pd.DataFrame,
    required: pd.DataFrame,
    norms: pd.DataFrame,
    standards: Standards,
    retirement_age: dict[str, int],
    years,
    tenure: int | None = None,
) -> dict[str, pd.DataFrame]:
    """The staff a plan leaves in each year, checked rule by rule directly (not through the program): head counts
    per station against the norms, each structure rule, the WISN need per cadre. Independent of the solver, so
    it also verifies what the solver returned. ``tenure``: years a hire stays in post (None: to the end)."""
    years = np.asarray(years, dtype=int)
    people = staff.assign(
        start=-(10**6), retire_year=retire_years(staff, retirement_age), medical=staff["medical"].astype(bool)
    )
    new = hires.rename(columns={"station": "station_code", "year": "start"}).assign(
        staff_id=hires["hire_id"], fte=1.0, retire_year=hires["year"] + (tenure if tenure is not None else 10**6)
    )
    people = pd.concat([people, new], ignore_index=True)
    grid = people.loc[people.index.repeat(len(years))].assign(year=np.tile(years, len(people)))
    grid = grid[(grid["start"] <= grid["year"]) & (grid["year"] < grid["retire_year"])].reset_index(drop=True)
    if len(training):  # a trainee holds the new level from the training year on
        key = grid[["staff_id", "year"]].merge(
            training[["staff_id", "year", "field", "to_value"]].rename(columns={"year": "trained"}),
            on="staff_id",
            how="left",
        )
        upgraded = key["trained"].notna() & (key["trained"] <= key["year"])
        for column in ("education", "title", "licence"):
            hit = upgraded & (key["field"] == column)
            grid.loc[hit.to_numpy(), column] = key.loc[hit, "to_value"].to_numpy()
    grid = with_licence_match(grid, standards)
    grid["technical"] = technical(grid, standards).to_numpy()
    grid["hired"] = grid["start"] > -(10**6)
    tech = grid[grid["technical"]]
    counts = tech.groupby(["station_code", "year"]).agg(staff=("fte", "sum")).reset_index()
    counts["hired"] = (
        tech[tech["hired"]]
        .groupby(["station_code", "year"])["fte"]
        .sum()
        .reindex(pd.MultiIndex.from_frame(counts[["station_code", "year"]]))
        .fillna(0.0)
        .to_numpy()
    )
    heads = (
        norms[norms["year"].isin(years)][["station", "year", "norm"]]
        .merge(counts.rename(columns={"station_code": "station"}), on=["station", "year"], how="left")
        .fillna({"staff": 0.0, "hired": 0.0})
    )
    heads["in_post"] = heads["staff"] - heads["hired"]
    heads["met"] = heads["staff"] >= heads["norm"] - TOLERANCE
    rows = []
    for rule in standards.structure:
        ok = qualified(tech, rule)
        share = rule.min_count is None
        frame = (
            pd.DataFrame(
                {
                    "year": tech["year"].to_numpy(),
                    "q": (tech["fte"] if share else 1.0) * ok,
                    "n": tech["fte"] if share else 1.0,
                }
            )
            .groupby("year")
            .sum()
            .reindex(years, fill_value=0.0)
        )
        value = frame["q"] / frame["n"].where(frame["n"] > 0) if share else frame["q"]
        threshold = rule.min_share if share else rule.min_count
        binding = (years == years[-1]) | (rule.holds == "every_year")
        rows.append(
            pd.DataFrame(
                {
                    "rule": rule.code,
                    "year": years,
                    "qualified": frame["q"].to_numpy(),
                    "staff": frame["n"].to_numpy(),
                    "value": value.to_numpy(),
                    "threshold": threshold,
                    "kind": "share" if share else "count",
                    "holds": rule.holds,
                    "binding": binding,
                    "met": value.to_numpy() >= threshold - TOLERANCE,
                }
            )
        )
    structure = pd.concat(rows, ignore_index=True)
    need = required[required["year"].isin(years)].groupby(["cadre", "year"], as_index=False)["required"].sum()
    have = grid.groupby(["specialty", "year"])["fte"].sum().rename("staff")
    need["staff"] = have.reindex(pd.MultiIndex.from_frame(need[["cadre", "year"]])).fillna(0.0).to_numpy()
    need["met"] = need["staff"] >= need["required"] - TOLERANCE
    heads = heads[["station", "year", "in_post", "hired", "staff", "norm", "met"]]
    return {"head_counts": heads, "structure": structure, "wisn": need[["cadre", "year", "staff", "required", "met"]]}


def explain(shortfalls: pd.DataFrame, names: dict[str, str] | None = None, lang: str | None = None) -> list[str]:
    """Each shortfall as a sentence (zh/en): which rule, which year, where, by how many. ``names``: station code
    → name."""
    names = names or {}
    out = []
    for r in shortfalls.itertuples():
        station = names.get(r.station, r.station)
        if r.constraint == "structure":
            what = label("enums.structure_rule", r.rule, lang)
        elif r.constraint == "wisn_cadre":
            what = ui("shortfall_wisn_cadre", lang, cadre=enum_label("specialty", r.cadre, lang))
        else:
            what = ui(f"shortfall_{r.constraint}", lang, station=station)
        unit = ui("persons", lang) if r.unit == "persons" else ui("fte_unit", lang)
        out.append(ui("shortfall", lang, year=int(r.year), what=what, short_by=f"{r.short_by:g}", unit=unit))
    return out
