"""Published coefficients of the kiosk's risk models, as data (scoring.md §2).

The ONNX builder and the plain-Python reference (``edge_models.reference``) both read these
tables, so a coefficient lives in exactly one place. Each block names its source and the
verification mark scoring.md gives it ([V-src], [V-impl], [V-calc], [MEM] = unverified).
"""

from __future__ import annotations

from typing import Final

# --- WHO 2019 non-laboratory model (scoring.md §2.2) -------------------------------------------
# Coefficients: Kaptoge S et al., Lancet Glob Health 2019;7:e1332, via the authors' Stata package
# whocvdrisk (skkceu/stata, whocvdrisk_erfc_score_v03.ado, model 2) [V-src code].
# Order of terms: age, bmi, sbp, smoker, age*bmi, age*sbp, age*smoker; centring 60 / 25 / 120.
WHO_TERMS: Final = ("age", "bmi", "sbp", "smoker", "age_bmi", "age_sbp", "age_smoker")
WHO_BETA: Final[dict[str, tuple[float, ...]]] = {
    "chd_m": (0.073593, 0.0337219, 0.0133937, 0.5954767, -0.0010432, -0.0001837, -0.0200831),
    "chd_f": (0.1049418, 0.0257616, 0.016726, 1.093132, -0.0006537, -0.0001966, -0.0343739),
    "stroke_m": (0.097674, 0.0159518, 0.0227294, 0.4999862, -0.0003516, -0.0004374, -0.0153895),
    "stroke_f": (0.1046105, 0.0036406, 0.0216741, 0.7399405, -0.0000129, -0.0005311, -0.0203997),
}
WHO_S0: Final[dict[str, float]] = {
    "chd_m": 0.9544258,
    "chd_f": 0.9887124,
    "stroke_m": 0.9848260,
    "stroke_f": 0.9885706,
}
WHO_CENTRE: Final = {"age": 60.0, "bmi": 25.0, "sbp": 120.0}
# GBD-2017 recalibration (c0, c1), model 2, 10-year, whocvdrisk_t10_calparms_gbd_sens0.dta [V-src].
WHO_CALIBRATION: Final[dict[str, dict[str, tuple[float, float]]]] = {
    # Region "High-income Asia Pacific": used by the published WHO charts.
    "hiap": {
        "chd_m": (-0.641988, 0.872386),
        "stroke_m": (-1.255566, 0.486169),
        "chd_f": (-0.203827, 0.864368),
        "stroke_f": (-1.021286, 0.596486),
    },
    # Country "South Korea" (cal1 in the package): an option, not what the charts show.
    "kor": {
        "chd_m": (-0.661955, 0.934947),
        "stroke_m": (-0.949491, 0.540172),
        "chd_f": (-0.231835, 0.905171),
        "stroke_f": (-0.794551, 0.593606),
    },
}

# --- Framingham 2008 general CVD, office (BMI) model (scoring.md §2.1) [V-impl] -----------------
# D'Agostino RB Sr et al., Circulation 2008;117:743-753. Terms: ln age, ln BMI, ln SBP untreated,
# ln SBP treated, smoker, diabetes. Keep beta, M and S0 of the same model together.
FRAMINGHAM_BETA: Final[dict[str, tuple[float, ...]]] = {
    "m": (3.11296, 0.79277, 1.85508, 1.92672, 0.70953, 0.53160),
    "f": (2.72107, 0.51125, 2.81291, 2.88267, 0.61868, 0.77763),
}
FRAMINGHAM_MEAN: Final = {"m": 23.9388, "f": 26.0145}
FRAMINGHAM_S0: Final = {"m": 0.88431, "f": 0.94833}

# --- Framingham incident hypertension, Parikh 2008 (scoring.md §2.4) [V-impl] -------------------
# Parikh NI et al., Ann Intern Med 2008;148:102-110 (citation [MEM]). Weibull model.
HTN_INTERCEPT: Final = 22.94954
HTN_BETA: Final = {
    "age": -0.15641,
    "female": -0.20293,
    "bmi": -0.03388,
    "sbp": -0.05933,
    "dbp": -0.12847,
    "smoker": -0.19073,
    "age_dbp": 0.00162,
}
HTN_PARENT_ONE: Final = -0.16612  # [V-impl]
HTN_PARENT_BOTH: Final = -0.29038  # [MEM] unverified: not found in a primary source
HTN_SCALE: Final = 0.87692

# --- FINDRISC (scoring.md §2.6) [V-src: official Finnish Diabetes Association form] -------------
# Step functions: points = sum of increments at thresholds; ">" where the form says "more than".
FINDRISC_AGE_STEPS: Final = ((">=", 45.0, 2.0), (">=", 55.0, 1.0), (">", 64.0, 1.0))
FINDRISC_BMI_STEPS: Final = ((">=", 25.0, 1.0), (">", 30.0, 2.0))
FINDRISC_WAIST: Final = {"m": (94.0, 102.0), "f": (80.0, 88.0)}  # >= low -> 3, > high -> 4
FINDRISC_INACTIVE: Final = 2.0
FINDRISC_NO_VEG: Final = 1.0
FINDRISC_BP_DRUG: Final = 2.0
FINDRISC_HIGH_GLUCOSE: Final = 5.0
FINDRISC_FAMILY: Final = (0.0, 3.0, 5.0)  # none / 2nd degree / 1st degree

# --- Life's Essential 8 sub-scores the kiosk can measure (scoring.md §4.1) [V-impl] --------------
# Lloyd-Jones DM et al., Circulation 2022;146:e18-e43, Table 2. Deductions from 100 at ">="
# thresholds; BP takes the larger of the SBP and DBP deductions, then -20 if treated, floor 0.
LE8_SBP_STEPS: Final = ((120.0, 25.0), (130.0, 25.0), (140.0, 25.0), (160.0, 25.0))
LE8_DBP_STEPS: Final = ((80.0, 50.0), (90.0, 25.0), (100.0, 25.0))
LE8_BP_TREATED: Final = 20.0
LE8_BMI_STEPS: Final = ((25.0, 30.0), (30.0, 40.0), (35.0, 15.0), (40.0, 15.0))
LE8_FBG_STEPS: Final = ((100.0, 40.0),)  # no diabetes: < 100 -> 100, 100-125 -> 60
