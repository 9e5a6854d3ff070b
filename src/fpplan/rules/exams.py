"""The staff exam rewards and penalties of seed 000 §三(三)2⑥; thresholds and amounts in config/rules.yaml."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fpplan.data.labels import ui
from fpplan.data.models.rules import ExamRules


def exam_consequences(county, year: int) -> dict[str, pd.DataFrame]:
    """The year's consequences of the monthly exams.

    - ``people``: per pseudonymous staff id: fails, absences, tier, allowance months deducted, individual prize,
      prefecture bonus, and the reason for each;
    - ``collective``: per specialty, once for the year: the 12-exam collective average, the collective prize
      (yearly reading: one prize tier on that average; monthly reading: the sum of the monthly prizes) and the fine
      (12-exam average below the threshold), each appearing once;
    - ``collective_monthly``: per specialty and month: the collective average (and, in the monthly reading, that
      month's prize); the yearly fine is not repeated here.

    A blank score is an absence: excused absences are left out, unexcused ones deduct a month's allowance and count
    as 0 in the collective average. A tie for an individual prize goes to the lower staff id (the text is silent)."""
    rules = county.config["rules"].exams
    exams = county.exam_scores[county.exam_scores["month"].str[:4] == str(year)]
    staff = county.staff.set_index("staff_id")
    monthly = exams[exams["exam_type"] == "monthly"].assign(specialty=lambda f: f["staff_id"].map(staff["specialty"]))
    absent = monthly["score"].isna()
    unexcused = absent & ~monthly["excused"].fillna(False).astype(bool)
    person = monthly.assign(fail=~absent & (monthly["score"] < rules.pass_mark), unexcused=unexcused)
    people = (
        person.groupby("staff_id")
        .agg(
            specialty=("specialty", "first"),
            exams=("score", "count"),
            fails=("fail", "sum"),
            unexcused_absences=("unexcused", "sum"),
            average=("score", "mean"),
        )
        .reset_index()
    )
    people["average_12"] = (
        person.assign(s=person["score"].fillna(0)).groupby("staff_id")["s"].sum().reindex(people["staff_id"]).to_numpy()
        / 12
    )
    tiers = sorted(rules.individual_tiers, key=lambda t: t.fails)
    reached = np.select(
        [people["fails"] >= t.fails for t in reversed(tiers)], [t.fails for t in reversed(tiers)], default=0
    )
    tier = {t.fails: t for t in tiers}
    people["tier_fails"] = reached
    people["consequence"] = [tier[r].zh if r else "" for r in reached]
    people["allowance_months_deducted"] = [tier[r].allowance_months if r else 0 for r in reached]
    people["allowance_months_deducted"] += people["unexcused_absences"] * rules.absence_allowance_months
    people = people.merge(_individual_prizes(people, rules), on="staff_id", how="left")
    people = people.merge(_prefecture(exams, rules), on="staff_id", how="left").fillna(
        {"prize_yuan": 0, "prefecture_yuan": 0}
    )
    people["reason"] = [_reason(r, rules) for r in people.itertuples()]
    by_month, by_year = _collective(monthly, unexcused, rules)
    return {"people": people, "collective": by_year, "collective_monthly": by_month}


def _prize(average: pd.Series, rules: ExamRules) -> tuple[np.ndarray, np.ndarray]:
    """The prize tier (text) and yuan of each collective average (lower bounds inclusive)."""
    prizes = sorted(rules.collective_prizes, key=lambda p: -p.min)
    reached = [average >= p.min for p in prizes]
    return (
        np.select(reached, [p.zh for p in prizes], default=""),
        np.select(reached, [p.yuan for p in prizes], default=0.0),
    )


def _collective(monthly: pd.DataFrame, unexcused: pd.Series, rules: ExamRules) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per specialty and month: the collective average (unexcused absences as 0, excused left out); per specialty
    for the year: the 12-exam average, the prize of the configured reading and the fine below the threshold."""
    counted = monthly[monthly["specialty"].isin(rules.collective_specialties) & (monthly["score"].notna() | unexcused)]
    counted = counted.assign(score=counted["score"].fillna(0.0))
    by_month = (
        counted.groupby(["specialty", "month"], as_index=False)["score"].mean().rename(columns={"score": "average"})
    )
    yearly = counted.groupby("specialty", as_index=False)["score"].mean().rename(columns={"score": "year_average"})
    if rules.collective_reading == "monthly":
        by_month["prize"], by_month["prize_yuan"] = _prize(by_month["average"], rules)
        yearly["prize"] = "monthly"
        yearly["prize_yuan"] = yearly["specialty"].map(by_month.groupby("specialty")["prize_yuan"].sum())
    else:
        yearly["prize"], yearly["prize_yuan"] = _prize(yearly["year_average"], rules)
    yearly["fine_yuan"] = np.where(
        yearly["year_average"] < rules.collective_fine.below, rules.collective_fine.yuan, 0.0
    )
    return by_month, yearly


def _individual_prizes(people: pd.DataFrame, rules: ExamRules) -> pd.DataFrame:
    eligible = people[people["average_12"] >= rules.individual_prize_min_average]
    rows = []
    for prize in rules.individual_prizes:  # a few prize groups
        group = eligible[eligible["specialty"].isin(prize.group)].sort_values(
            ["average_12", "staff_id"], ascending=[False, True]
        )
        for rank, (sid, amount) in enumerate(zip(group["staff_id"], prize.yuan), start=1):
            rows.append({"staff_id": sid, "prize_rank": rank, "prize_yuan": amount})
    return pd.DataFrame(rows, columns=["staff_id", "prize_rank", "prize_yuan"])


def _prefecture(exams: pd.DataFrame, rules: ExamRules) -> pd.DataFrame:
    pref = exams[exams["exam_type"] == "prefecture"]
    good = pref["score"] >= rules.prefecture_bonus.min_score
    return (
        pd.DataFrame(
            {
                "staff_id": pref["staff_id"],
                "prefecture_yuan": np.where(good, rules.prefecture_bonus.yuan, 0.0),
                "prefecture_failed": pref["score"] < rules.pass_mark,
            }
        )
        .groupby("staff_id")
        .agg(prefecture_yuan=("prefecture_yuan", "sum"), prefecture_failed=("prefecture_failed", "any"))
        .reset_index()
    )


def _reason(r, rules: ExamRules) -> str:
    """Why a person gets a consequence, in the current language (label table, ui.reason_*)."""
    parts = []
    if r.tier_fails:
        parts.append(ui("reason_fails", fails=r.fails, tier=r.tier_fails))
    if r.unexcused_absences:
        parts.append(ui("reason_absences", n=r.unexcused_absences, months=rules.absence_allowance_months))
    if r.prize_yuan:
        parts.append(
            ui(
                "reason_prize",
                rank=int(r.prize_rank),
                average=f"{r.average_12:.1f}",
                minimum=f"{rules.individual_prize_min_average:g}",
            )
        )
    if r.prefecture_yuan:
        parts.append(ui("reason_prefecture", minimum=f"{rules.prefecture_bonus.min_score:g}"))
    if getattr(r, "prefecture_failed", False) is True:
        parts.append(ui("reason_prefecture_failed"))
    return "；".join(parts)
