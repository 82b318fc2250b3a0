"""Plain-Python evaluation of the same equations (scoring.md §2), written directly from the
formulas rather than from the graphs: the tests compare the ONNX graphs against it and the bench
uses it as its baseline."""

from __future__ import annotations

import math

from edge_models import coefficients as c


def who_cvd(
    male: bool, age: float, bmi: float, sbp: float, smoker: bool, calibration: str = "hiap"
) -> tuple[float, float, float]:
    """Return (CVD, CHD, stroke) 10-year risk as fractions, recalibrated."""
    sx = "m" if male else "f"
    a, b, s, k = age - 60.0, bmi - 25.0, sbp - 120.0, float(smoker)
    x = (a, b, s, k, a * b, a * s, a * k)
    risks = []
    for outcome in ("chd", "stroke"):
        key = f"{outcome}_{sx}"
        lp = sum(beta * xi for beta, xi in zip(c.WHO_BETA[key], x, strict=True))
        c0, c1 = c.WHO_CALIBRATION[calibration][key]
        # ln(-ln(1-p)) = LP + ln(-ln S0): stable at small risks (scoring.md §2.2).
        risks.append(1.0 - math.exp(-math.exp(c0 + c1 * (lp + math.log(-math.log(c.WHO_S0[key]))))))
    chd, stroke = risks
    return 1.0 - (1.0 - chd) * (1.0 - stroke), chd, stroke


def framingham_cvd(
    male: bool, age: float, bmi: float, sbp: float, treated: bool, smoker: bool, diabetes: bool
) -> float:
    sx = "m" if male else "f"
    beta = c.FRAMINGHAM_BETA[sx]
    ln_sbp = math.log(sbp)
    x = (
        math.log(age),
        math.log(bmi),
        0.0 if treated else ln_sbp,
        ln_sbp if treated else 0.0,
        float(smoker),
        float(diabetes),
    )
    s = sum(bi * xi for bi, xi in zip(beta, x, strict=True))
    return 1.0 - c.FRAMINGHAM_S0[sx] ** math.exp(s - c.FRAMINGHAM_MEAN[sx])


def hypertension(
    male: bool,
    age: float,
    bmi: float,
    sbp: float,
    dbp: float,
    smoker: bool,
    parents: int,
    years: float = 4.0,
) -> float:
    b = c.HTN_BETA
    parent = (0.0, c.HTN_PARENT_ONE, c.HTN_PARENT_BOTH)[parents]
    x = (
        c.HTN_INTERCEPT
        + b["age"] * age
        + b["female"] * (0.0 if male else 1.0)
        + b["bmi"] * bmi
        + b["sbp"] * sbp
        + b["dbp"] * dbp
        + b["smoker"] * float(smoker)
        + parent
        + b["age_dbp"] * age * dbp
    )
    return 1.0 - math.exp(-math.exp((math.log(years) - x) / c.HTN_SCALE))


def findrisc(
    male: bool,
    age: float,
    bmi: float,
    waist: float,
    active: bool,
    vegetables: bool,
    bp_drug: bool,
    high_glucose: bool,
    family: int,
) -> int:
    points = 0
    if age >= 45:
        points += 2
    if age >= 55:
        points += 1
    if age > 64:
        points += 1
    if bmi > 30:
        points += 3
    elif bmi >= 25:
        points += 1
    low, high = c.FINDRISC_WAIST["m" if male else "f"]
    if waist > high:
        points += 4
    elif waist >= low:
        points += 3
    points += 0 if active else 2
    points += 0 if vegetables else 1
    points += 2 if bp_drug else 0
    points += 5 if high_glucose else 0
    points += (0, 3, 5)[family]
    return points


def le8_subscores(sbp: float, dbp: float, treated: bool, bmi: float, fbg: float) -> dict[str, int]:
    """LE8 BP, BMI and (no-diabetes, fasting) glucose metric scores, scoring.md §4.1 tables."""
    sbp_pts = 100 if sbp < 120 else 75 if sbp < 130 else 50 if sbp < 140 else 25 if sbp < 160 else 0
    dbp_pts = 100 if dbp < 80 else 50 if dbp < 90 else 25 if dbp < 100 else 0
    bp = max(0, min(sbp_pts, dbp_pts) - (20 if treated else 0))
    bmi_pts = 100 if bmi < 25 else 70 if bmi < 30 else 30 if bmi < 35 else 15 if bmi < 40 else 0
    return {"bp": bp, "bmi": bmi_pts, "glucose": 100 if fbg < 100 else 60}
