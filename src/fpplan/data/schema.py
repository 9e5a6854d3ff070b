"""The county data model: every table, its columns, types, ranges and keys.

A county is a folder of these tables (CSV in UTF-8/GBK/GB18030, or XLSX; Chinese or English headers)
plus YAML configuration under ``config/``. Column codes are English; their zh/en labels and units are in
the label table. Counts are persons or events; areas m²; money 万元 unless the name says yuan.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    """``kind``: str, int, float, bool, month (YYYY-MM), date, or enum:<name of a label-table enumeration>."""

    name: str
    kind: str = "str"
    nullable: bool = False
    min: float | None = None
    max: float | None = None
    optional: bool = False  # the column may be absent from the file
    future: bool = False  # a date that may lie ahead (a deadline): not refused as "after today"


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    optional: bool = False  # the file may be absent
    data_elements: bool = False  # other columns are data elements (config/data_elements.yaml)
    monthly: bool = False  # arrives month by month: imported into the workspace's store, read from there

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


C = Column
AGE = C("age", "int", min=0, max=100)
COUNT = {"kind": "float", "min": 0}
# Optional place of a village's centre or a station (WGS84 / CGCS2000 degrees; fpplan.data.geography checks them).
GEO = (
    C("lon", "float", nullable=True, min=-180, max=180, optional=True),
    C("lat", "float", nullable=True, min=-90, max=90, optional=True),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in [
        Table(
            "units",
            (
                C("code"),
                C("name"),
                C("level", "enum:level"),
                C("parent_code", nullable=True),
                C("kind", "enum:kind"),
                C("area_km2", "float", nullable=True, min=0, optional=True),
                C("distance_km", "float", nullable=True, min=0, optional=True),
                # a village with no resident population (a new community, an emptied village): blank = no
                C("uninhabited", "bool", nullable=True, optional=True),
                *GEO,
            ),
            key=("code",),
        ),
        # Base-year population by unit (village or township), sex and single year of age (100 = 100+);
        # a file with `age_group` (0-4, 5-9, … 100+) instead of `age` is split to single years on load.
        Table(
            "population",
            (C("year", "int", min=1990, max=2100), C("unit_code"), C("sex", "enum:sex"), AGE, C("population", **COUNT)),
            key=("unit_code", "sex", "age"),
        ),
        Table(
            "vital_history",
            (
                C("year", "int", min=1949, max=2100),
                C("township_code"),
                *(C(n, **COUNT) for n in ("births_male", "births_female", "deaths_male", "deaths_female")),
                C("in_migrants", **COUNT),
                C("out_migrants", **COUNT),
            ),
            key=("township_code", "year"),
        ),
        # Share of women currently married by single age 15–49; blank township = county-wide.
        Table(
            "married_share",
            (C("township_code", nullable=True), C("age", "int", min=15, max=49), C("share", "float", min=0, max=1)),
            key=("township_code", "age"),
        ),
        # `serves`: township codes the station serves besides its own, separated by ';' (central stations
        # back up neighbours); mobile vehicles serve the remote villages of `serves` (or of the county).
        Table(
            "facilities",
            (
                C("code"),
                C("name"),
                C("level", "enum:station_level"),
                C("township_code", nullable=True),
                C("serves", nullable=True, optional=True),
                C("floor_area_m2", "float", min=0),
                C("grade", "enum:grade"),
                C("opening_year", "int", min=1900, max=2100),
                *GEO,
            ),
            key=("code",),
        ),
        # Technical staff roster: pseudonymous ids only, never names or ID numbers.
        Table(
            "staff",
            (
                C("staff_id"),
                C("station_code"),
                C("specialty", "enum:specialty"),
                C("education", "enum:education"),
                C("title", "enum:title"),
                C("medical", "bool"),
                C("licence", "enum:licence"),
                C("fte", "float", min=0, max=1),
                C("sex", "enum:sex"),
                C("birth_year", "int", min=1930, max=2015),
            ),
            key=("staff_id",),
        ),
        # The 建设项目规划表: one row per project (a station may have several, in different completion years).
        Table(
            "construction_plan",
            (
                C("station_code"),
                C("mode", "enum:mode"),
                C("target_grade", "enum:grade"),
                C("target_floor_area_m2", "float", min=0),
                C("start_year", "int", min=1990, max=2100),
                C("completion_year", "int", min=1990, max=2100),
                C("cost_wan_yuan", "float", min=0),
                C("self_raised_wan_yuan", "float", min=0),
                C("subsidy_requested_wan_yuan", "float", min=0),
            ),
            key=("station_code", "completion_year"),
        ),
        Table(
            "disbursement",
            (C("station_code"), C("year", "int", min=1990, max=2100), C("amount_wan_yuan", "float", min=0)),
            key=("station_code", "year"),
            optional=True,
        ),
        # Subsidy from upper levels actually granted, by station and year (optional): "still to secure" =
        # requested − granted.
        Table(
            "subsidy_granted",
            (C("station_code"), C("year", "int", min=1990, max=2100), C("amount_wan_yuan", "float", min=0)),
            key=("station_code", "year"),
            optional=True,
        ),
        # Medical equipment each station holds (items: config/equipment.yaml, by code or zh/en name).
        Table(
            "equipment",
            (
                C("station_code"),
                C("item"),
                C("quantity", "int", min=0),
                C("year_acquired", "int", nullable=True, optional=True, min=1950, max=2100),
            ),
            key=("station_code", "item", "year_acquired"),
            optional=True,
        ),
        # Monthly village reports: one row per village and month, one column per data element.
        Table(
            "service_stats",
            (C("village_code"), C("month", "month"), C("reported_on", "date", nullable=True)),
            key=("village_code", "month"),
            data_elements=True,
            monthly=True,
        ),
        Table(
            "survey",
            (C("village_code"), C("month", "month"), C("need", "enum:need"), C("count", **COUNT)),
            key=("village_code", "month", "need"),
            optional=True,
            monthly=True,
        ),
        # Exam scores; a blank score is an absence (counted 0 in the collective average unless excused).
        Table(
            "exam_scores",
            (
                C("staff_id"),
                C("month", "month"),
                C("exam_type", "enum:exam_type"),
                C("score", "float", nullable=True, min=0, max=100),
                C("excused", "bool", optional=True),
            ),
            key=("staff_id", "month", "exam_type"),
            optional=True,
            monthly=True,
        ),
        Table(
            "budget",
            (C("year", "int", min=1990, max=2100), C("fp_budget_yuan", "float", min=0)),
            key=("year",),
            optional=True,
        ),
        # Sample-survey rounds of the assessment standard (satisfaction, awareness): per round (its month), surveyed
        # unit (village or township), question, persons asked and persons answering yes. Counts only, no persons.
        Table(
            "survey_rounds",
            (
                C("unit_code"),
                C("month", "month"),
                C("question", "enum:survey_question"),
                C("sample_size", "float", min=1),
                C("yes_count", "float", min=0),
            ),
            key=("unit_code", "month", "question"),
            optional=True,
            monthly=True,
        ),
        # Training register: per unit (county, township or village), month and group, persons in post and persons
        # who completed their specialised training that month (each person counted once a year).
        Table(
            "training_register",
            (
                C("unit_code"),
                C("month", "month"),
                C("group", "enum:training_group"),
                C("in_post", "float", min=0),
                C("trained", "float", min=0),
            ),
            key=("unit_code", "month", "group"),
            optional=True,
            monthly=True,
        ),
        # 督导检查记录 (seed 000/002: the county supervises every township each quarter, township offices check their
        # villages' staff each month): one row per inspection of a unit (township or village) and checklist item
        # (config/rhythm.yaml; code, zh or en name). The inspector is a role or a pseudonymous id, never a name; a
        # failed item is a finding with its rectification deadline, closed when closed_on is given.
        Table(
            "supervision",
            (
                C("date", "date"),
                C("inspector_level", "enum:level"),
                C("inspector", nullable=True, optional=True),
                C("unit_code"),
                C("check_item"),
                C("passed", "bool"),
                C("finding", nullable=True, optional=True),
                C("deadline", "date", nullable=True, optional=True, future=True),
                C("closed_on", "date", nullable=True, optional=True),
            ),
            key=("unit_code", "date", "inspector_level", "check_item"),
            optional=True,
            monthly=True,
        ),
        # 工作台账: the working rhythm's counts by unit and month (meetings held, trainings, competitions, staff sent,
        # outreach done and due …): one row per unit, month and element of config/rhythm.yaml (code, zh or en name).
        Table(
            "work_register",
            (C("unit_code"), C("month", "month"), C("element"), C("amount", "float", min=0)),
            key=("unit_code", "month", "element"),
            optional=True,
            monthly=True,
        ),
        # 避孕药具发放: contraceptives given out by unit (township or village) and month, per method of
        # config/contraceptives.yaml (cycles of pills, pieces of condoms, doses of injectables, implants …).
        Table(
            "contraceptive_supply",
            (C("unit_code"), C("month", "month"), C("method"), C("units_distributed", "float", min=0)),
            key=("unit_code", "month", "method"),
            optional=True,
            monthly=True,
        ),
        # 村服务室和人口学校: each village's service room and population school as at the end of a year (seed 001
        # 第五篇: 村级服务室和人口学校应全部达标); merged_clinic: the room shares the village clinic (二室合一).
        Table(
            "village_rooms",
            (
                C("village_code"),
                C("year", "int", min=1990, max=2100),
                C("room", "enum:base_status"),
                C("merged_clinic", "bool", nullable=True, optional=True),
                C("school", "enum:base_status"),
            ),
            key=("village_code", "year"),
            optional=True,
        ),
        # Population of past years by township, sex and single age (100 = 100+): what a back-test starts from
        # (fpplan backtest projects it to the base year and compares with the population table).
        Table(
            "population_history",
            (C("year", "int"), C("township_code"), C("sex", "enum:sex"), AGE, C("population", **COUNT)),
            key=("township_code", "year", "sex", "age"),
            optional=True,
        ),
    ]
}

# Headers that must never be loaded: person names and identity numbers (people first).
FORBIDDEN_HEADERS = {
    "姓名",
    "name_of_person",
    "person_name",
    "身份证号",
    "身份证",
    "id_number",
    "idnumber",
    "电话",
    "phone",
}
