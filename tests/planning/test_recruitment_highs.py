"""The recruitment program handed to HiGHS directly (fpplan.planning.recruitment._Program) gives the plan the PuLP
formulation gave (tests/planning/pulp_recruitment.py, the module as it was): every hand case of
test_recruitment.py (feasible, infeasible with its shortfalls, training, plan-year rules, a hiring quota) and every
scenario of the demo county, table for table, exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from fpplan.planning import recruitment
from tests.planning import pulp_recruitment
from tests.planning import test_recruitment as hand_cases

TABLES = ("hires", "training", "head_counts", "structure", "wisn", "shortfalls", "costs", "training_shortfalls")


def assert_same_plan(direct: recruitment.StaffPlan, reference: recruitment.StaffPlan) -> None:
    assert (direct.status, direct.notes) == (reference.status, reference.notes)
    np.testing.assert_array_equal(direct.years, reference.years)
    for name in TABLES:
        assert_frame_equal(getattr(direct, name), getattr(reference, name), check_exact=True, obj=name)


class Both:
    """plan_staff that solves every program both ways, checks they agree and returns the direct one's plan."""

    def __init__(self) -> None:
        self.plans: list[recruitment.StaffPlan] = []
        self.direct = recruitment.plan_staff  # before the tests put this object in its place

    def __call__(self, *args, **kwargs) -> recruitment.StaffPlan:
        plan = self.direct(*args, **kwargs)
        assert_same_plan(plan, pulp_recruitment.plan_staff(*args, **kwargs))
        self.plans.append(plan)
        return plan


HAND_CASES = [
    hand_cases.test_the_smallest_plan_is_the_one_found_by_hand,
    hand_cases.test_rules_no_plan_can_meet_are_explained,
    hand_cases.test_training_the_person_in_post_is_chosen_when_allowed,
    hand_cases.test_rules_holding_only_in_the_plan_year_leave_time_to_train,
    hand_cases.test_wisn_need_and_hiring_quota,
]


@pytest.mark.parametrize("case", HAND_CASES, ids=lambda f: f.__name__.removeprefix("test_"))
def test_hand_cases_give_the_pulp_formulations_plan(case, monkeypatch) -> None:
    both = Both()
    monkeypatch.setattr(hand_cases, "plan_staff", both)
    case()  # its own assertions on the direct plan, and the same plan as PuLP's, call by call
    assert both.plans


def test_demo_scenarios_give_the_pulp_formulations_plan(county, monkeypatch) -> None:
    from fpplan.data.scenarios import load_scenarios
    from fpplan.planning import plan as plan_module

    both = Both()
    monkeypatch.setattr(recruitment, "plan_staff", both)  # as make_plan calls it
    scenarios = list(load_scenarios(county))
    for scenario in scenarios:
        plan_module.make_plan(county, scenario)
    assert len(both.plans) == len(scenarios) >= 3
    assert all(p.feasible and len(p.hires) for p in both.plans)  # real plans: hires made, every rule met


def test_the_program_is_the_one_pulp_hands_highs() -> None:
    """Column order (PuLP's: by name), bounds, integrality, costs and rows of a small program, read back from the
    HiGHS model each builds."""
    import highspy
    import pulp

    program = recruitment._Program()
    x = program.var("x_b", integer=True)
    y = program.var("x_a-1", upper=3, integer=True)  # PuLP names it x_a_1: it comes first
    s = program.var("s_0")
    program.row(2.5, np.inf, (np.array([x, y]), np.array([1.0, 2.0])), (np.array([s]), np.array([1.0])))
    program.row(-np.inf, 4.0, (np.array([x, y]), np.array([1.0, 0.0])))
    program.row(0.0, 0.0, (np.array([x]), np.array([1.0])), (np.array([y]), np.array([-1.0])))
    assert program.solve(np.array([1.0, 1.0, 1000.0]), None)
    np.testing.assert_array_equal(program.values, [1.0, 1.0, 0.0])  # x = y = 1 meets x + 2y ≥ 2.5 without slack

    prob = pulp.LpProblem("p", pulp.LpMinimize)
    px = prob.add_variable("x_b", lowBound=0, cat="Integer")
    py = prob.add_variable("x_a-1", lowBound=0, upBound=3, cat="Integer")
    ps = prob.add_variable("s_0", lowBound=0)
    prob.addConstraint(px + 2 * py + ps >= 2.5)
    prob.addConstraint(px + 0 * py <= 4.0)
    prob.addConstraint(px == py)
    prob.setObjective(px + py + 1000 * ps)
    prob.solve(pulp.HiGHS(msg=False, threads=1))
    assert [px.value(), py.value(), ps.value()] == [1.0, 1.0, 0.0]
    theirs = prob.solverModel.getLp()
    assert [v.name for v in prob.variables()] == ["s_0", "x_a_1", "x_b"]

    ours = highspy.Highs()
    ours.setOptionValue("output_flag", False)
    captured = {}
    real = highspy.Highs

    class Capture(real):
        def run(self):
            captured["lp"] = self.getLp()
            return super().run()

    highspy.Highs = Capture
    try:
        program._run_highs(np.array([1.0, 1.0, 1000.0]), None)  # HiGHS itself (solve kept the answer above)
    finally:
        highspy.Highs = real
    mine = captured["lp"]
    for field in ("col_cost_", "col_lower_", "col_upper_", "row_lower_", "row_upper_", "integrality_"):
        assert list(getattr(mine, field)) == list(getattr(theirs, field)), field
    dense = []
    for lp in (mine, theirs):
        a = lp.a_matrix_
        matrix = pd.DataFrame(0.0, index=range(lp.num_row_), columns=range(lp.num_col_))
        starts, index, value = list(a.start_), list(a.index_), list(a.value_)
        colwise = a.format_ == highspy.MatrixFormat.kColwise
        for outer in range(len(starts) - 1):
            for k in range(starts[outer], starts[outer + 1]):
                matrix.iat[(index[k], outer) if colwise else (outer, index[k])] = value[k]
        dense.append(matrix)
    assert_frame_equal(dense[0], dense[1])
    assert dense[0].to_numpy().tolist() == [[1.0, 2.0, 1.0], [0.0, 0.0, 1.0], [0.0, -1.0, 1.0]]  # s_0, x_a_1, x_b


def small_program(upper_y: float = 3.0) -> recruitment._Program:
    program = recruitment._Program()
    x = program.var("x_b", integer=True)
    y = program.var("x_a", upper=upper_y, integer=True)
    program.row(2.5, np.inf, (np.array([x, y]), np.array([1.0, 2.0])))
    return program


def test_a_program_is_solved_once_per_process(monkeypatch) -> None:
    """The same program (bounds, rows, costs, time limit) asked again is answered without HiGHS; any change to it
    (a bound, a cost) is solved; an answer cut short by the time limit is not kept."""
    monkeypatch.setattr(recruitment, "_SOLVED", type(recruitment._SOLVED)())
    runs = []
    real = recruitment._Program._run_highs

    def counted(self, cost, time_limit):
        runs.append(list(cost))
        return real(self, cost, time_limit)

    monkeypatch.setattr(recruitment._Program, "_run_highs", counted)
    first = small_program()
    assert first.solve(np.array([1.0, 1.5]), 30) and first.values.tolist() == [
        1.0,
        1.0,
    ]  # x + 2y ≥ 2.5: 2.5 beats 3 (3, 0) and (0, 2)
    again = small_program()
    assert again.solve(np.array([1.0, 1.5]), 30) and again.values.tolist() == [1.0, 1.0]
    again.values[0] = 99.0  # the caller's copy
    assert len(runs) == 1
    cheaper_x = small_program()
    assert cheaper_x.solve(np.array([0.1, 1.0]), 30) and cheaper_x.values.tolist() == [3.0, 0.0]
    no_y = small_program(upper_y=0.0)
    assert no_y.solve(np.array([1.0, 1.5]), 30) and no_y.values.tolist() == [3.0, 0.0]
    assert len(runs) == 3
    assert small_program().solve(np.array([1.0, 1.5]), 30) and len(runs) == 3  # still [1, 1], not 99
    assert recruitment._SOLVED[small_program().key(np.array([1.0, 1.5]), 30)][1].tolist() == [1.0, 1.0]

    monkeypatch.setattr(recruitment._Program, "_run_highs", lambda self, cost, limit: (True, True))  # "time limit"
    recruitment._SOLVED.clear()
    assert small_program().solve(np.array([1.0, 1.5]), 30) and not recruitment._SOLVED
