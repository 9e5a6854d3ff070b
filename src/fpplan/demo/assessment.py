"""The demo county's data for the assessment standard (seed 001 三/五): the monthly report's counts of births by
order, petitions, certificates, pay, rewards, free services, accidents, information coverage and the birth-defect
intervention; the sample-survey rounds (satisfaction and awareness); the training register.

Rates aim at the values seed 001 reports as achieved (benefits paid 99.8%, certificates 99.7%, knowledge ~96%,
statistics accuracy 99.5%) with township differences, so that some townships miss some targets: every number here
is a demo assumption. Deterministic: its own generator, seeded from the demo's seed, so the rest of the demo does
not change when this module does.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# the report's data elements this module fills (demo/county.py fills the others)
ELEMENTS = (
    "births_order_1",
    "births_order_2",
    "births_order_3plus",
    "births_unplanned_higher_order",
    "technical_accidents",
    "petitions_received",
    "petitions_closed",
    "petitions_closed_on_time",
    "migrant_certificates_due",
    "migrant_certificates_issued",
    "village_staff_pay_due_yuan",
    "village_staff_pay_paid_yuan",
    "rewards_due",
    "rewards_paid",
    "free_services_due",
    "free_services_delivered",
    "married_women_registered",
    "birth_defect_target",
    "birth_defect_served",
    "eugenic_guidance_due",
    "eugenic_guidance_given",
)
QUESTIONS = {
    "satisfaction": 0.925,
    "aware_rights": 0.93,
    "aware_contraception": 0.90,
    "aware_rh": 0.885,
    "eugenics_knowledge": 0.945,
}
SURVEY_MONTHS = ("2023-06", "2023-12", "2024-06", "2024-12", "2025-06", "2025-12")  # twice a year (seed 000 §三(一))
VILLAGES_PER_ROUND, PERSONS_PER_VILLAGE = 3, 20
ACCIDENT = ("650123006", "2023-08")  # one technical-service accident, in a township and month


def extend(tables: dict[str, pd.DataFrame], villages: pd.DataFrame, seed: int) -> dict[str, pd.DataFrame]:
    """The demo's tables with the assessment data added (service_stats columns, survey_rounds, training_register)."""
    rng = np.random.default_rng([seed, 1])
    stats = tables["service_stats"]
    stats = pd.concat([stats, report_counts(stats, villages, rng)], axis=1)
    return tables | {
        "service_stats": stats,
        "survey_rounds": survey_rounds(villages, rng),
        "training_register": training_register(villages, rng),
    }


def report_counts(stats: pd.DataFrame, villages: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The ELEMENTS for every row of the monthly report (vectorized over village-months)."""
    township = stats["village_code"].map(villages.set_index("code")["township_code"]).to_numpy()
    towns = np.unique(township)
    t = np.searchsorted(towns, township)

    def by_township(low: float, high: float) -> np.ndarray:
        return rng.uniform(low, high, len(towns))[t]

    mw = stats["married_women_15_49"].to_numpy(float)
    births = (stats["births_male"] + stats["births_female"]).to_numpy(int)
    operations = (
        stats[["iud_insertions", "iud_removals", "sterilisations", "induced_abortions"]].sum(axis=1).to_numpy(int)
    )
    v: dict[str, np.ndarray] = {}
    order = rng.multinomial(births, [0.47, 0.41, 0.12])
    v["births_order_1"], v["births_order_2"], v["births_order_3plus"] = order[:, 0], order[:, 1], order[:, 2]
    v["births_unplanned_higher_order"] = rng.binomial(order[:, 2], by_township(0.0, 0.012))
    accident = ((stats["village_code"].str[:9] == ACCIDENT[0]) & (stats["month"] == ACCIDENT[1])).to_numpy()
    v["technical_accidents"] = (np.arange(len(stats)) == np.argmax(accident)) & accident.any()
    v["petitions_received"] = rng.poisson(mw * 0.0012)
    v["petitions_closed"] = rng.binomial(v["petitions_received"], by_township(0.92, 1.0))
    v["petitions_closed_on_time"] = rng.binomial(v["petitions_closed"], by_township(0.94, 1.0))
    v["migrant_certificates_due"] = rng.poisson(mw * 0.004)
    v["migrant_certificates_issued"] = rng.binomial(v["migrant_certificates_due"], by_township(0.88, 0.998))
    v["village_staff_pay_due_yuan"] = np.full(len(stats), 800)
    arrears = rng.random(len(stats)) < by_township(0.0, 0.04)  # a month's pay not paid
    v["village_staff_pay_paid_yuan"] = np.where(arrears, 0, 800)
    v["rewards_due"] = rng.poisson(mw * 0.02)
    v["rewards_paid"] = rng.binomial(v["rewards_due"], by_township(0.99, 1.0))
    v["free_services_due"] = operations + rng.poisson(mw * 0.003)
    v["free_services_delivered"] = rng.binomial(v["free_services_due"], by_township(0.985, 1.0))
    v["married_women_registered"] = rng.binomial(mw.astype(int), by_township(0.97, 0.998))
    v["birth_defect_target"] = stats["prepregnancy_target"].to_numpy(int) + births
    v["birth_defect_served"] = rng.binomial(v["birth_defect_target"], by_township(0.86, 0.97))
    v["eugenic_guidance_due"] = rng.poisson(np.full(len(stats), 0.02))
    v["eugenic_guidance_given"] = rng.binomial(v["eugenic_guidance_due"], 0.97)
    return pd.DataFrame({e: v[e].astype(int) for e in ELEMENTS}, index=stats.index)


def survey_rounds(villages: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Two rounds a year; each township samples VILLAGES_PER_ROUND villages of PERSONS_PER_VILLAGE persons; the
    share answering yes varies by township (±4 points) around QUESTIONS."""
    towns = np.sort(villages["township_code"].unique())
    effect = rng.uniform(-0.04, 0.04, (len(towns), len(QUESTIONS)))
    rows = []
    for month in SURVEY_MONTHS:  # six rounds
        codes = np.concatenate(
            [
                np.sort(
                    rng.choice(
                        villages.loc[villages["township_code"] == t, "code"].to_numpy(),
                        VILLAGES_PER_ROUND,
                        replace=False,
                    )
                )
                for t in towns
            ]
        )
        t = np.repeat(np.arange(len(towns)), VILLAGES_PER_ROUND)
        p = np.clip(np.array(list(QUESTIONS.values()))[None, :] + effect[t], 0, 1)
        yes = rng.binomial(PERSONS_PER_VILLAGE, p)
        rows.append(
            pd.DataFrame(
                {
                    "unit_code": np.repeat(codes, len(QUESTIONS)),
                    "month": month,
                    "question": np.tile(list(QUESTIONS), len(codes)),
                    "sample_size": PERSONS_PER_VILLAGE,
                    "yes_count": yes.reshape(-1),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def training_register(villages: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Monthly rows per unit and group, 2023–2025: civil servants at the county (14) and each township (5–8),
    village family-planning staff (one per village); each year a share of them (unit by unit) completes specialised
    training, each in one month."""
    towns = np.sort(villages["township_code"].unique())
    county = towns[0][:-3]  # township codes are the county code and three digits
    months = pd.period_range("2023-01", "2025-12", freq="M").strftime("%Y-%m")
    units = (
        [(county, "civil_servant", 14)]
        + [(t, "civil_servant", int(rng.integers(5, 9))) for t in towns]
        + [(t, "village_staff", int(n)) for t, n in villages["township_code"].value_counts().sort_index().items()]
    )
    rows = []
    for code, group, in_post in units:  # 17 units × groups
        trained = np.zeros(len(months), dtype=int)
        for year in range(3):
            count = rng.binomial(in_post, rng.uniform(0.84, 1.0))
            np.add.at(trained, year * 12 + rng.integers(2, 11, count), 1)
        rows.append(
            pd.DataFrame({"unit_code": code, "month": months, "group": group, "in_post": in_post, "trained": trained})
        )
    return pd.concat(rows, ignore_index=True)
