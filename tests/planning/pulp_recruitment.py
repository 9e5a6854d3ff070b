"""The recruitment plan's integer program as PuLP built it before the program was handed to HiGHS directly
(fpplan.planning.recruitment, e5da37a): the reference the direct program is checked against
(tests/planning/test_recruitment_highs.py): the same plan, hires, trainees and shortfalls from the same inputs.
Kept as it was, apart from the helpers it shares with the module (imported)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pulp

from fpplan.data.models.planning import RecruitmentConfig, Standards
from fpplan.planning import recruitment
from fpplan.planning.recruitment import (
    PENALTY,
    SHORTFALL_COLUMNS,
    SOFT,
    TOLERANCE,
    StaffPlan,
    _quiet,
    evaluate,
    program_inputs,
)
from fpplan.planning.staffing import qualified


def _solve(prob: pulp.LpProblem, solver) -> int:
    """Solve in place; the PuLP status (optimal unless the time limit stopped HiGHS first)."""
    with _quiet():
        return prob.solve(solver)


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

    prob = pulp.LpProblem("recruitment", pulp.LpMinimize)
    ny, ns, nc = len(years), len(stations), len(specialties)
    # decision variables as object arrays: hires (year, station, specialty), qualifications (year, profile),
    # training (pair, year; None where the group has left)
    hv = np.array(
        [
            prob.add_variable(f"h_{t}_{s}_{c}", lowBound=0, cat="Integer")
            for t, s, c in itertools.product(years, stations, specialties)
        ],
        dtype=object,
    ).reshape(ny, ns, nc)
    qv = np.array(
        [
            prob.add_variable(f"q_{t}_{i}", lowBound=0, cat="Integer")
            for t, i in itertools.product(years, range(len(profiles)))
        ],
        dtype=object,
    ).reshape(ny, len(profiles))
    pair_group = pairs["group"].to_numpy(int) if len(pairs) else np.zeros(0, int)
    group_n = groups["n"].to_numpy(int)
    uv = np.full((len(pairs), ny), None, dtype=object)
    for p, k in zip(*np.nonzero(in_post[pair_group])):
        uv[p, k] = prob.add_variable(
            f"u_{p}_{years[k]}", lowBound=0, upBound=int(group_n[pair_group[p]]), cat="Integer"
        )
    slacks: list[tuple[pulp.LpVariable, dict]] = []
    soft: list[tuple[pulp.LpVariable, int]] = []  # the training minimum's slack per year

    def linear(variables, coefficients=None) -> pulp.LpAffineExpression:
        variables = np.asarray(variables, dtype=object).ravel()
        coefficients = np.ones(len(variables)) if coefficients is None else np.asarray(coefficients, float).ravel()
        keep = (coefficients != 0) & np.array([v is not None for v in variables], dtype=bool)
        return pulp.LpAffineExpression(list(zip(variables[keep], coefficients[keep])))

    def at_least(expr, rhs: float, meta: dict) -> None:
        slack = prob.add_variable(f"s_{len(slacks)}", lowBound=0)
        prob.addConstraint(expr + slack >= rhs)
        slacks.append((slack, meta))

    spec = np.array(specialties, dtype=object)
    is_cadre = np.isin(spec, cadres)
    is_tech = np.isin(spec, sorted(tech_specialties))
    g_spec, g_station = groups["specialty"].to_numpy(), groups["station_code"].to_numpy()
    tech = groups["technical"].to_numpy(bool)
    fte = groups["fte"].to_numpy(float)
    fte_n = fte * group_n
    p_tech = profiles["specialty"].isin(sorted(tech_specialties)).to_numpy()
    for k, t in enumerate(years):
        now = in_post[:, k]
        # WISN: per cadre for the county, per station in total
        need = req[req["year"] == t]
        by_cadre = need.groupby("cadre")["required"].sum()
        for c in cadres:
            have = fte_n[now & (g_spec == c)].sum()
            at_least(
                have + linear(hv[hired_in_post[k]][:, :, spec == c]),
                float(by_cadre.get(c, 0.0)) - TOLERANCE,
                {"constraint": "wisn_cadre", "year": t, "cadre": c, "unit": "fte"},
            )
        by_station = need.groupby("station")["required"].sum()
        for j, s in enumerate(stations):
            have = fte_n[now & (g_station == s) & np.isin(g_spec, cadres)].sum()
            at_least(
                have + linear(hv[hired_in_post[k]][:, j, is_cadre]),
                float(by_station.get(s, 0.0)) - TOLERANCE,
                {"constraint": "wisn_station", "year": t, "station": s, "unit": "fte"},
            )
        # head-count norms (technical FTE)
        for s, norm in norms[norms["year"] == t].set_index("station")["norm"].items():
            have = fte_n[now & tech & (g_station == s)].sum()
            at_least(
                have + linear(hv[hired_in_post[k]][:, stations.index(s), is_tech]),
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
            const = float(((qualified(groups, rule) - theta) * weight * group_n)[now & tech].sum())
            p_coef = np.where(p_tech, qualified(profiles, rule) - theta, 0.0)
            hires = linear(qv[hired_in_post[k]], np.tile(p_coef, int(hired_in_post[k].sum())))
            delta = pairs[f"delta_{rule.code}"].to_numpy(float) if len(pairs) else np.zeros(0)
            coef = delta * weight[pair_group] * (tech & now)[pair_group]
            trained = linear(uv[:, : k + 1], np.repeat(coef, k + 1))
            rhs = 0.0 if share else float(rule.min_count)
            at_least(
                const + hires + trained,
                rhs - TOLERANCE,
                {"constraint": "structure", "rule": rule.code, "year": t, "unit": "fte" if share else "persons"},
            )
        # hires' qualifications add up to the hires of each specialty
        for j, c in enumerate(specialties):
            prob.addConstraint(linear(hv[k, :, j]) == linear(qv[k], (profiles["specialty"] == c).to_numpy(float)))
        trainees = linear(uv[:, k])
        prob.addConstraint(trainees <= config.training.max_per_year)
        if config.training.min_per_year:
            slack = prob.add_variable(f"t_{t}", lowBound=0)
            prob.addConstraint(trainees + slack >= config.training.min_per_year)
            soft.append((slack, int(t)))
        if config.hiring.max_per_year is not None:
            slack = prob.add_variable(f"s_{len(slacks)}", lowBound=0)
            prob.addConstraint(linear(hv[k]) - slack <= config.hiring.max_per_year)
            slacks.append((slack, {"constraint": "hire_cap", "year": t, "unit": "persons"}))
    for g in np.unique(pair_group):  # each person in post trained at most once
        prob.addConstraint(linear(uv[pair_group == g]) <= int(group_n[g]))

    total_hires = linear(hv)
    solver = pulp.HiGHS(msg=False, timeLimit=config.solver_time_limit_s, threads=1)
    prob.setObjective(PENALTY * pulp.lpSum(s for s, _ in slacks) + total_hires + SOFT * pulp.lpSum(s for s, _ in soft))
    notes = []
    if _solve(prob, solver) != pulp.LpStatusOptimal:
        notes.append("solver_stopped")
    short = [(meta, s.value() or 0.0) for s, meta in slacks]
    infeasible = any(v > 1e-4 for _, v in short)
    if not infeasible:
        n_hires = round(pulp.value(total_hires) or 0.0)
        for s, _ in slacks:
            s.upBound = 0
        for s, _ in soft:  # as many trainees as stage 1 found possible
            s.upBound = round(s.value() or 0.0)
        prob.addConstraint(total_hires <= n_hires)
        in_post_years = (np.minimum(plan_year + 1, years + stay) - years).astype(float)
        # tie-breaks, far below any cost difference: hire late, and into the cadres with the most need there
        last = (
            req[req["year"] == plan_year]
            .pivot_table(index="station", columns="cadre", values="required", aggfunc="sum")
            .reindex(index=stations, columns=specialties)
        )
        fit = 1.0 / (1.0 + last.fillna(0.0).to_numpy())
        prob.setObjective(
            linear(qv, np.outer(in_post_years, profiles["annual_cost_wan_yuan"].to_numpy()))
            + linear(uv, np.repeat(pairs["cost_wan_yuan"].to_numpy(float) if len(pairs) else np.zeros(0), ny))
            + linear(hv, 1e-3 * in_post_years[:, None, None] + 1e-2 * fit[None, :, :])
        )
        if _solve(prob, solver) != pulp.LpStatusOptimal:
            notes.append("solver_stopped")
    h = {
        (t, s, c): hv[a, b, d]
        for (a, t), (b, s), (d, c) in itertools.product(enumerate(years), enumerate(stations), enumerate(specialties))
    }
    q = {(t, i): qv[a, i] for a, t in enumerate(years) for i in range(len(profiles))}
    u = {(p, years[k]): uv[p, k] for p, k in zip(*np.nonzero(uv != None))}
    hires = _hires_table(h, q, profiles)
    training = _training_table(u, pairs, groups)
    shortfalls = pd.DataFrame(
        [dict.fromkeys(SHORTFALL_COLUMNS) | meta | {"short_by": round(v, 2)} for meta, v in short if v > 1e-4],
        columns=SHORTFALL_COLUMNS,
    )
    training_short = pd.DataFrame(
        [(t, round(s.value() or 0.0)) for s, t in soft if round(s.value() or 0.0) > 0], columns=["year", "short_by"]
    )
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


def _value(v: pulp.LpVariable) -> int:
    return round(v.value() or 0.0)


def _hires_table(h: dict, q: dict, profiles: pd.DataFrame) -> pd.DataFrame:
    """The hires of the solution's integers (the table itself is made as the package makes it)."""
    return recruitment._hires_table(
        {k: _value(v) for k, v in h.items()}, {k: _value(v) for k, v in q.items()}, profiles
    )


def _training_table(u: dict, pairs: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """The trainees of the solution's integers (the table itself is made as the package makes it)."""
    return recruitment._training_table({k: _value(v) for k, v in u.items()}, pairs, groups)
