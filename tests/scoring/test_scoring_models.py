"""The ONNX risk models against scoring.md §2 reference cases (to 0.1 percentage point), the 700
published WHO chart cells for High-income Asia Pacific, and the plain-Python equations."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import numpy as np
import pytest

from edge_models import reference as ref
from kiosk.scoring.models import LoadedModel, ModelSet

CHART = Path(__file__).parent / "data" / "who2019_nonlab_chart_hiap.csv"
PP = 0.001  # 0.1 percentage point, as a fraction


@pytest.fixture(scope="module")
def models() -> dict[str, LoadedModel]:
    model_set = ModelSet.load(strict=True)
    assert model_set.unavailable == {}
    return model_set.models


def _one(model: LoadedModel, row: list[float], output: str = "risk") -> list[float]:
    return model.run(row)[output]


# scoring.md §2.2: sex, age, SBP, BMI, smoker, CVD %, CHD %, stroke %, Korea-country CVD %.
WHO_CASES = [
    ("M", 62.5, 150, 22.5, 1, 14.85, 8.60, 6.84, 14.79),
    ("F", 72.5, 170, 27.5, 0, 17.12, 9.66, 8.26, 18.00),
    ("M", 42.5, 110, 22.5, 0, 2.25, 0.91, 1.36, 1.97),
    ("F", 67.5, 130, 17.5, 1, 12.28, 6.65, 6.03, 12.91),
    ("M", 57.5, 190, 32.5, 1, 23.16, 14.83, 9.79, 23.62),
    ("M", 70, 135, 24, 0, 13.66, 7.56, 6.59, 13.61),
    ("F", 65, 142, 23.5, 0, 7.59, 3.44, 4.29, 8.15),
]


@pytest.mark.parametrize(
    ("sex", "age", "sbp", "bmi", "smk", "cvd", "chd", "stroke", "kor"), WHO_CASES
)
def test_who_reference_cases(
    models: dict[str, LoadedModel],
    sex: str,
    age: float,
    sbp: float,
    bmi: float,
    smk: int,
    cvd: float,
    chd: float,
    stroke: float,
    kor: float,
) -> None:
    row = [float(sex == "M"), age, bmi, sbp, smk]
    out = models["who2019_nonlab_hiap"].run(row)
    assert out["risk"][0] == pytest.approx(cvd / 100, abs=PP)
    assert out["components"][0] == pytest.approx(chd / 100, abs=PP)
    assert out["components"][1] == pytest.approx(stroke / 100, abs=PP)
    assert _one(models["who2019_nonlab_kor"], row)[0] == pytest.approx(kor / 100, abs=PP)


_AGE = {f"{lo}-{lo + 4}": lo + 2.5 for lo in range(40, 75, 5)}
_BMI = {"<20": 17.5, "20-24": 22.5, "25-29": 27.5, "30-35": 32.5, ">=35": 37.5}
_SBP = {"<120": 110, "120-139": 130, "140-159": 150, "160-179": 170, ">=180": 190}


def test_who_reproduces_all_700_published_chart_cells(models: dict[str, LoadedModel]) -> None:
    with CHART.open(newline="") as fh:
        cells = list(csv.DictReader(fh))
    assert len(cells) == 700
    rows = np.array(
        [
            [
                float(c["Gender"] == "M"),
                _AGE[c["Age"]],
                _BMI[c["BMI"]],
                _SBP[c["SBP"]],
                float(c["Smoke"] == "Smoker"),
            ]
            for c in cells
        ]
    )
    session = models["who2019_nonlab_hiap"].session
    risk = session.run(["risk"], {"x": rows})[0][:, 0]
    got = [round(r * 100) for r in risk]
    want = [int(c["Risk"]) for c in cells]
    mismatches = [(c, g) for c, g, w in zip(cells, got, want, strict=True) if g != w]
    assert mismatches == []


def test_who_country_calibration_differs_from_the_charts(models: dict[str, LoadedModel]) -> None:
    # scoring.md §2.2: the South Korea parameters match only 398/700 cells; the option is real.
    row = [1.0, 62.5, 22.5, 150.0, 1.0]
    assert _one(models["who2019_nonlab_kor"], row) != _one(models["who2019_nonlab_hiap"], row)


@pytest.mark.parametrize(
    ("sex", "want"),
    [("M", 16.75), ("F", 8.61)],  # scoring.md §2.1; M matches the CVrisk package test
)
def test_framingham_reference_cases(models: dict[str, LoadedModel], sex: str, want: float) -> None:
    row = [float(sex == "M"), 55, 30, 140, 0, 0, 0]
    assert _one(models["framingham2008_office"], row)[0] == pytest.approx(want / 100, abs=PP)


def test_framingham_treated_branch_and_sex_branch_are_distinct(
    models: dict[str, LoadedModel],
) -> None:
    m = models["framingham2008_office"]
    untreated = _one(m, [1, 55, 30, 140, 0, 0, 0])[0]
    treated = _one(m, [1, 55, 30, 140, 1, 0, 0])[0]
    assert treated > untreated
    assert treated == pytest.approx(ref.framingham_cvd(True, 55, 30, 140, True, False, False))


# scoring.md §2.4: age, sex, BMI, SBP, DBP, smoker, parents, 4-y %, 1-y %.
HTN_CASES = [
    (45, "M", 24, 125, 82, 0, 1, 15.33, 3.37),
    (60, "F", 26, 132, 84, 0, 0, 38.36, 9.48),
    (35, "M", 22, 115, 75, 1, 0, 3.41, 0.71),
    (55, "M", 28, 135, 88, 1, 2, 60.83, 17.54),
    (70, "F", 23, 128, 78, 0, 0, 31.20, 7.41),
]


@pytest.mark.parametrize(("age", "sex", "bmi", "sbp", "dbp", "smk", "par", "r4", "r1"), HTN_CASES)
def test_hypertension_reference_cases(
    models: dict[str, LoadedModel],
    age: float,
    sex: str,
    bmi: float,
    sbp: float,
    dbp: float,
    smk: int,
    par: int,
    r4: float,
    r1: float,
) -> None:
    out = models["framingham_hypertension"].run([float(sex == "M"), age, bmi, sbp, dbp, smk, par])
    assert out["risk"][0] == pytest.approx(r4 / 100, abs=PP)
    assert out["risk_1y"][0] == pytest.approx(r1 / 100, abs=PP)


# scoring.md §2.6: age, BMI, waist, sex, active, veg, BP drug, high glucose, family, points.
FINDRISC_CASES = [
    (67, 24.0, 84, "M", 1, 1, 0, 0, 0, 4),
    (58, 27.3, 96, "M", 0, 1, 1, 0, 2, 16),
    (72, 31.2, 92, "F", 0, 0, 1, 1, 1, 24),
    (44, 22.0, 78, "F", 1, 1, 0, 0, 0, 0),
    (63, 29.0, 90, "F", 1, 0, 1, 0, 2, 16),
]


@pytest.mark.parametrize(
    ("age", "bmi", "waist", "sex", "act", "veg", "bp", "glu", "fam", "points"), FINDRISC_CASES
)
def test_findrisc_reference_cases(
    models: dict[str, LoadedModel],
    age: float,
    bmi: float,
    waist: float,
    sex: str,
    act: int,
    veg: int,
    bp: int,
    glu: int,
    fam: int,
    points: int,
) -> None:
    row = [float(sex == "M"), age, bmi, waist, act, veg, bp, glu, fam]
    assert _one(models["findrisc"], row, "points") == [float(points)]


@pytest.mark.parametrize(
    ("age", "bmi", "waist", "sex", "points"),
    [
        (44.9, 24.9, 93.9, "M", 0),
        (45, 24.9, 93.9, "M", 2),
        (55, 24.9, 93.9, "M", 3),
        (64, 24.9, 93.9, "M", 3),  # "> 64" starts the top age band
        (64.1, 24.9, 93.9, "M", 4),
        (40, 25.0, 93.9, "M", 1),  # BMI 25 inclusive in 25-30
        (40, 30.0, 93.9, "M", 1),  # 30 still in 25-30
        (40, 30.1, 93.9, "M", 3),
        (40, 20, 94, "M", 3),
        (40, 20, 102, "M", 3),
        (40, 20, 102.1, "M", 4),
        (40, 20, 79.9, "F", 0),
        (40, 20, 80, "F", 3),
        (40, 20, 88, "F", 3),
        (40, 20, 88.1, "F", 4),
        (40, 20, 94, "F", 4),  # women's cut-offs are not the men's
    ],
)
def test_findrisc_edges(
    models: dict[str, LoadedModel], age: float, bmi: float, waist: float, sex: str, points: int
) -> None:
    # Active, vegetables daily, no drug, no glucose history, no family: only the edges count.
    row = [float(sex == "M"), age, bmi, waist, 1, 1, 0, 0, 0]
    assert _one(models["findrisc"], row, "points") == [float(points)]


def test_graphs_match_plain_python_on_random_rows(models: dict[str, LoadedModel]) -> None:
    rng = random.Random(20261204)
    n = 10_000
    rows = []
    for _ in range(n):
        rows.append(
            (
                rng.random() < 0.5,
                rng.uniform(30, 80),
                rng.uniform(15, 45),
                rng.uniform(90, 200),
                rng.uniform(55, 110),
                rng.random() < 0.3,
                rng.random() < 0.3,
                rng.random() < 0.2,
                rng.randrange(3),
                rng.uniform(60, 130),
            )
        )

    def batch(name: str, cols: list[list[float]], output: str = "risk") -> np.ndarray:
        out = models[name].session.run([output], {"x": np.array(cols, dtype=np.float64)})[0]
        return np.asarray(out[:, 0])

    who = batch("who2019_nonlab_hiap", [[m, a, b, s, k] for m, a, b, s, _d, k, *_ in rows])
    who_py = [ref.who_cvd(m, a, b, s, k)[0] for m, a, b, s, _d, k, *_ in rows]
    assert np.max(np.abs(who - np.array(who_py))) < 1e-9

    fram = batch(
        "framingham2008_office", [[m, a, b, s, t, k, dm] for m, a, b, s, _d, k, t, dm, *_ in rows]
    )
    fram_py = [ref.framingham_cvd(m, a, b, s, t, k, dm) for m, a, b, s, _d, k, t, dm, *_ in rows]
    assert np.max(np.abs(fram - np.array(fram_py))) < 1e-9

    htn = batch(
        "framingham_hypertension",
        [[m, a, b, s, d, k, p] for m, a, b, s, d, k, _t, _dm, p, _w in rows],
    )
    htn_py = [ref.hypertension(m, a, b, s, d, k, p) for m, a, b, s, d, k, _t, _dm, p, _w in rows]
    assert np.max(np.abs(htn - np.array(htn_py))) < 1e-9

    # Rounded BMI/waist as the service feeds them, so the edge comparisons are exact.
    fr_rows = [
        (m, round(a), round(b, 1), round(w), k, t, dm, p)
        for m, a, b, _s, _d, k, t, dm, p, w in rows
    ]
    fr = batch(
        "findrisc",
        [[m, a, b, w, not k, t, dm, k, p] for m, a, b, w, k, t, dm, p in fr_rows],
        "points",
    )
    fr_py = [ref.findrisc(m, a, b, w, not k, t, dm, k, p) for m, a, b, w, k, t, dm, p in fr_rows]
    assert fr.tolist() == [float(v) for v in fr_py]


def test_risk_rises_with_age_and_sbp(models: dict[str, LoadedModel]) -> None:
    m = models["who2019_nonlab_hiap"]
    by_age = [_one(m, [0, age, 24, 130, 0])[0] for age in range(40, 75, 2)]
    by_sbp = [_one(m, [1, 60, 24, sbp, 1])[0] for sbp in range(100, 200, 5)]
    assert by_age == sorted(by_age) and len(set(by_age)) == len(by_age)
    assert by_sbp == sorted(by_sbp) and len(set(by_sbp)) == len(by_sbp)


@pytest.mark.parametrize(
    ("sbp", "dbp", "treated", "bp"),
    # scoring.md §4.1 cases A and B, then its BP edge checks.
    [
        (128, 78, 0, 75),
        (152, 92, 1, 5),
        (119, 79, 0, 100),
        (120, 79, 0, 75),
        (129, 80, 0, 50),
        (139, 89, 1, 30),
        (140, 70, 0, 25),
        (158, 100, 0, 0),
        (110, 70, 1, 80),
        (170, 105, 1, 0),  # floor at 0
    ],
)
def test_le8_bp_metric(
    models: dict[str, LoadedModel], sbp: float, dbp: float, treated: int, bp: int
) -> None:
    assert models["le8_subscores"].run([60, sbp, dbp, treated, 24, 90])["bp"] == [float(bp)]


@pytest.mark.parametrize(
    ("bmi", "points"),
    [(24.0, 100), (24.9, 100), (25.0, 70), (27.1, 70), (30.0, 30), (35.0, 15), (39.9, 15), (40, 0)],
)
def test_le8_bmi_metric(models: dict[str, LoadedModel], bmi: float, points: int) -> None:
    assert models["le8_subscores"].run([60, 110, 70, 0, bmi, 90])["bmi"] == [float(points)]


@pytest.mark.parametrize(("fbg", "points"), [(99, 100), (100, 60), (105, 60), (125, 60)])
def test_le8_glucose_metric(models: dict[str, LoadedModel], fbg: float, points: int) -> None:
    assert models["le8_subscores"].run([60, 110, 70, 0, 22, fbg])["glucose"] == [float(points)]


def test_le8_graph_matches_plain_python(models: dict[str, LoadedModel]) -> None:
    rng = random.Random(8)
    rows = [
        [60, rng.randrange(90, 200), rng.randrange(50, 120), rng.randrange(2),
         round(rng.uniform(16, 45), 1), rng.randrange(70, 126)]
        for _ in range(5_000)
    ]  # fmt: skip
    out = models["le8_subscores"].session.run(None, {"x": np.array(rows, dtype=np.float64)})
    names = [o.name for o in models["le8_subscores"].session.get_outputs()]
    got = {n: arr[:, 0].tolist() for n, arr in zip(names, out, strict=True)}
    for k, (_age, s, d, t, b, f) in enumerate(rows):
        want = ref.le8_subscores(s, d, bool(t), b, f)
        assert {n: got[n][k] for n in want} == {n: float(v) for n, v in want.items()}, rows[k]
