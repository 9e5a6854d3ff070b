"""The demo county's equipment inventory and the subsidy already granted (both optional tables), written as a
county would: items by their Chinese names (config/equipment.yaml). The holdings fall short of the 甲级 standard
in the ways seed 003 describes ("设备落后": old B-ultrasound machines, few analysers at the township stations,
village medical kits not everywhere); quantities and years are demo assumptions."""

from __future__ import annotations

import pandas as pd

from fpplan.data.config import load

# station, item code, quantity, year acquired (demo assumption)
INVENTORY = [
    ("ZD001", "b_ultrasound", 1, 2012),
    ("ZD001", "b_ultrasound", 1, 2019),
    ("ZD001", "biochemistry_analyser", 1, 2016),
    ("ZD001", "urine_analyser", 1, 2020),
    ("ZD001", "blood_analyser", 1, 2018),
    ("ZD001", "microwave_therapy", 1, 2021),
    ("ZD001", "service_vehicle", 1, 2015),
    ("ZD001", "computer", 6, 2023),
    ("ZD001", "computer", 2, 2016),
    ("ZD001", "village_medical_kit", 20, 2024),
    ("ZX002", "b_ultrasound", 1, 2014),
    ("ZX002", "urine_analyser", 1, 2019),
    ("ZX002", "blood_analyser", 1, 2020),
    ("ZX002", "computer", 2, 2022),
    ("ZX002", "village_medical_kit", 15, 2024),
    ("ZX003", "b_ultrasound", 1, 2022),
    ("ZX003", "urine_analyser", 1, 2018),
    ("ZX003", "computer", 3, 2023),
    ("ZX003", "village_medical_kit", 12, 2023),
    ("ZS004", "urine_analyser", 1, 2017),
    ("ZS004", "computer", 1, 2020),
    ("ZS004", "village_medical_kit", 10, 2022),
    ("ZS005", "b_ultrasound", 1, 2011),
    ("ZS005", "computer", 1, 2024),
    ("ZS006", "computer", 1, 2019),
    ("ZS006", "village_medical_kit", 8, 2024),
    ("ZS007", "urine_analyser", 1, 2021),
    ("ZS007", "computer", 1, 2023),
    ("ZS008", "computer", 1, 2021),
    ("LD01", "service_vehicle", 1, 2012),
    ("LD01", "portable_ultrasound", 1, 2016),
    ("LD02", "service_vehicle", 1, 2018),
    ("LD02", "portable_ultrasound", 1, 2018),
]
# subsidy from upper levels granted so far (万元, demo assumption)
GRANTED = [("ZD001", 2026, 150.0), ("ZX002", 2026, 90.0), ("ZS004", 2026, 48.0)]


def tables() -> dict[str, pd.DataFrame]:
    """The ``equipment`` and ``subsidy_granted`` tables of the demo county."""
    items = load("equipment").items
    equipment = pd.DataFrame(INVENTORY, columns=["station_code", "item", "quantity", "year_acquired"])
    equipment["item"] = equipment["item"].map(lambda code: items[code].zh)
    granted = pd.DataFrame(GRANTED, columns=["station_code", "year", "amount_wan_yuan"])
    return {"equipment": equipment, "subsidy_granted": granted}
