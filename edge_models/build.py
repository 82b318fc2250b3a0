"""Build the kiosk's ONNX risk models from the published equations (scoring.md §2, §3).

    python -m edge_models.build [--out DIR]

Writes one ``.onnx`` per model and ``manifest.json`` (SHA-256 per file) into
``edge_models/models/`` by default. Output is byte-for-byte reproducible: no timestamps, fixed
node names, IR version and opset pinned to what onnxruntime 1.31/1.32 both accept (§3.1).
The manifest is an integrity manifest, not a cryptographic signature.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from edge_models import coefficients as c

IR_VERSION = 8
OPSET = 17
MANIFEST_FORMAT = 1
DEFAULT_OUT = Path(__file__).resolve().parent / "models"


class _Graph:
    """Tiny helper that names nodes deterministically (n0, n1, ...)."""

    def __init__(self, n_cols: int) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self.n_cols = n_cols
        self._i = 0

    def _name(self) -> str:
        self._i += 1
        return f"t{self._i}"

    def const(self, value: Any) -> str:
        name = self._name()
        self.inits.append(numpy_helper.from_array(np.asarray(value, dtype=np.float64), name))
        return name

    def const_i64(self, value: Any) -> str:
        name = self._name()
        self.inits.append(numpy_helper.from_array(np.asarray(value, dtype=np.int64), name))
        return name

    def op(self, op_type: str, *inputs: str, **attrs: Any) -> str:
        out = self._name()
        self.nodes.append(helper.make_node(op_type, list(inputs), [out], name=f"n_{out}", **attrs))
        return out

    def col(self, j: int) -> str:
        """Column j of x as an [N, 1] tensor."""
        return self.op("Gather", "x", self.const_i64([j]), axis=1)

    def step(self, value: str, op_type: str, threshold: float, points: float) -> str:
        """points * [value op threshold] as float64."""
        flag = self.op(op_type, value, self.const(threshold))
        return self.op("Mul", self.op("Cast", flag, to=TensorProto.DOUBLE), self.const(points))

    def select_sex(self, male: str, if_male: str, if_female: str) -> str:
        return self.op("Where", self.op("Greater", male, self.const(0.5)), if_male, if_female)


@dataclass(frozen=True)
class ModelSpec:
    name: str
    version: str
    title: str
    source: str
    coefficients_source: str
    inputs: tuple[tuple[str, str], ...]  # (column, unit/meaning)
    valid_range: dict[str, list[float]]  # validated population, not plausibility
    outputs: dict[str, str]
    verification: str
    calibration: str
    body: Callable[[_Graph], dict[str, str]]


def _who_body(calibration: str) -> Callable[[_Graph], dict[str, str]]:
    def body(g: _Graph) -> dict[str, str]:
        male, age, bmi, sbp, smoker = (g.col(j) for j in range(5))
        a = g.op("Sub", age, g.const(c.WHO_CENTRE["age"]))
        b = g.op("Sub", bmi, g.const(c.WHO_CENTRE["bmi"]))
        s = g.op("Sub", sbp, g.const(c.WHO_CENTRE["sbp"]))
        feats = [a, b, s, smoker, g.op("Mul", a, b), g.op("Mul", a, s), g.op("Mul", a, smoker)]
        x7 = g.op("Concat", *feats, axis=1)
        keys = ("chd_m", "stroke_m", "chd_f", "stroke_f")
        cal = c.WHO_CALIBRATION[calibration]
        # Slope c1 folded into the weights; intercept c0 + c1*ln(-ln S0) (scoring.md §2.2).
        w = np.array([[cal[k][1] * beta for beta in c.WHO_BETA[k]] for k in keys]).T
        bias = [cal[k][0] + cal[k][1] * math.log(-math.log(c.WHO_S0[k])) for k in keys]
        z = g.op("Add", g.op("MatMul", x7, g.const(w)), g.const(bias))
        surv = g.op("Exp", g.op("Neg", g.op("Exp", z)))  # calibrated 10-y survival, [N, 4]
        risk4 = g.op("Sub", g.const(1.0), surv)
        pair_m = g.op("Slice", risk4, g.const_i64([0]), g.const_i64([2]), g.const_i64([1]))
        pair_f = g.op("Slice", risk4, g.const_i64([2]), g.const_i64([4]), g.const_i64([1]))
        pair = g.select_sex(male, pair_m, pair_f)  # [N, 2]: CHD, stroke
        surv_pair = g.op("Sub", g.const(1.0), pair)
        s_chd = g.op("Slice", surv_pair, g.const_i64([0]), g.const_i64([1]), g.const_i64([1]))
        s_str = g.op("Slice", surv_pair, g.const_i64([1]), g.const_i64([2]), g.const_i64([1]))
        both = g.op("Mul", s_chd, s_str)
        return {"risk": g.op("Sub", g.const(1.0), both), "components": pair}

    return body


def _framingham_body(g: _Graph) -> dict[str, str]:
    male, age, bmi, sbp, treated, smoker, diabetes = (g.col(j) for j in range(7))
    ln_sbp = g.op("Log", sbp)
    untreated = g.op("Sub", g.const(1.0), treated)
    feats = [
        g.op("Log", age),
        g.op("Log", bmi),
        g.op("Mul", ln_sbp, untreated),
        g.op("Mul", ln_sbp, treated),
        smoker,
        diabetes,
    ]
    x6 = g.op("Concat", *feats, axis=1)
    w = np.array([c.FRAMINGHAM_BETA["m"], c.FRAMINGHAM_BETA["f"]]).T  # [6, 2]
    z = g.op(
        "Sub",
        g.op("MatMul", x6, g.const(w)),
        g.const([c.FRAMINGHAM_MEAN["m"], c.FRAMINGHAM_MEAN["f"]]),
    )
    s0 = g.const([c.FRAMINGHAM_S0["m"], c.FRAMINGHAM_S0["f"]])
    risk2 = g.op("Sub", g.const(1.0), g.op("Pow", s0, g.op("Exp", z)))
    rm = g.op("Slice", risk2, g.const_i64([0]), g.const_i64([1]), g.const_i64([1]))
    rf = g.op("Slice", risk2, g.const_i64([1]), g.const_i64([2]), g.const_i64([1]))
    return {"risk": g.select_sex(male, rm, rf)}


def _htn_body(g: _Graph) -> dict[str, str]:
    male, age, bmi, sbp, dbp, smoker, parents = (g.col(j) for j in range(7))
    b = c.HTN_BETA
    female = g.op("Sub", g.const(1.0), male)
    terms = [
        g.op("Mul", age, g.const(b["age"])),
        g.op("Mul", female, g.const(b["female"])),
        g.op("Mul", bmi, g.const(b["bmi"])),
        g.op("Mul", sbp, g.const(b["sbp"])),
        g.op("Mul", dbp, g.const(b["dbp"])),
        g.op("Mul", smoker, g.const(b["smoker"])),
        g.op("Mul", g.op("Mul", age, dbp), g.const(b["age_dbp"])),
        g.step(parents, "Greater", 0.5, c.HTN_PARENT_ONE),
        g.step(parents, "Greater", 1.5, c.HTN_PARENT_BOTH - c.HTN_PARENT_ONE),
    ]
    x = g.op("Sum", g.const(c.HTN_INTERCEPT), *terms)
    ln_t = g.const([math.log(4.0), math.log(1.0)])  # horizons 4 y and 1 y
    z = g.op("Div", g.op("Sub", ln_t, x), g.const(c.HTN_SCALE))
    risk2 = g.op("Sub", g.const(1.0), g.op("Exp", g.op("Neg", g.op("Exp", z))))
    r4 = g.op("Slice", risk2, g.const_i64([0]), g.const_i64([1]), g.const_i64([1]))
    return {
        "risk": r4,
        "risk_1y": g.op("Slice", risk2, g.const_i64([1]), g.const_i64([2]), g.const_i64([1])),
    }


def _findrisc_body(g: _Graph) -> dict[str, str]:
    male, age, bmi, waist, active, veg, bp_drug, high_glu, family = (g.col(j) for j in range(9))
    op_name = {">=": "GreaterOrEqual", ">": "Greater"}
    terms = [g.step(age, op_name[o], t, p) for o, t, p in c.FINDRISC_AGE_STEPS]
    terms += [g.step(bmi, op_name[o], t, p) for o, t, p in c.FINDRISC_BMI_STEPS]
    low = g.select_sex(male, g.const(c.FINDRISC_WAIST["m"][0]), g.const(c.FINDRISC_WAIST["f"][0]))
    high = g.select_sex(male, g.const(c.FINDRISC_WAIST["m"][1]), g.const(c.FINDRISC_WAIST["f"][1]))
    to_f = TensorProto.DOUBLE
    terms.append(
        g.op("Mul", g.op("Cast", g.op("GreaterOrEqual", waist, low), to=to_f), g.const(3.0))
    )
    terms.append(g.op("Mul", g.op("Cast", g.op("Greater", waist, high), to=to_f), g.const(1.0)))
    terms.append(g.op("Mul", g.op("Sub", g.const(1.0), active), g.const(c.FINDRISC_INACTIVE)))
    terms.append(g.op("Mul", g.op("Sub", g.const(1.0), veg), g.const(c.FINDRISC_NO_VEG)))
    terms.append(g.op("Mul", bp_drug, g.const(c.FINDRISC_BP_DRUG)))
    terms.append(g.op("Mul", high_glu, g.const(c.FINDRISC_HIGH_GLUCOSE)))
    fam = c.FINDRISC_FAMILY
    terms.append(g.step(family, "Greater", 0.5, fam[1]))
    terms.append(g.step(family, "Greater", 1.5, fam[2] - fam[1]))
    return {"points": g.op("Sum", *terms)}


def _le8_body(g: _Graph) -> dict[str, str]:
    sbp, dbp, treated, bmi, fbg = (g.col(j) for j in range(1, 6))  # column 0 (age): range only

    def deduction(value: str, steps: tuple[tuple[float, float], ...]) -> str:
        return g.op("Sum", *(g.step(value, "GreaterOrEqual", t, d) for t, d in steps))

    hundred = g.const(100.0)
    bp_ded = g.op("Max", deduction(sbp, c.LE8_SBP_STEPS), deduction(dbp, c.LE8_DBP_STEPS))
    bp_ded = g.op("Add", bp_ded, g.op("Mul", treated, g.const(c.LE8_BP_TREATED)))
    bp = g.op("Max", g.op("Sub", hundred, bp_ded), g.const(0.0))
    bmi_score = g.op("Sub", hundred, deduction(bmi, c.LE8_BMI_STEPS))
    glucose = g.op("Sub", hundred, deduction(fbg, c.LE8_FBG_STEPS))
    return {"bp": bp, "bmi": bmi_score, "glucose": glucose}


_WHO_SOURCE = (
    "WHO CVD Risk Chart Working Group (Kaptoge S, Pennells L, et al.). World Health Organization "
    "cardiovascular disease risk charts: revised models to estimate risk in 21 global regions. "
    "Lancet Glob Health 2019;7:e1332-e1345"
)
_WHO_COEF = (
    "whocvdrisk Stata package (S. Kaptoge, skkceu/stata): whocvdrisk_erfc_score_v03.ado model 2; "
    "whocvdrisk_t10_calparms_gbd_sens0.dta (GBD-2017), via scoring.md §2.2 [V-src code]"
)
_WHO_INPUTS = (
    ("male", "1 = male, 0 = female"),
    ("age", "years"),
    ("bmi", "kg/m2"),
    ("sbp", "systolic mmHg"),
    ("smoker", "current smoker 0/1"),
)
_WHO_RANGE = {"age": [40.0, 74.0], "bmi": [10.0, 70.0], "sbp": [60.0, 260.0]}
_WHO_OUT = {
    "risk": "10-year fatal+non-fatal MI+stroke risk, fraction 0..1, [N,1]",
    "components": "[N,2]: CHD, stroke 10-year risk fractions",
}

SPECS: tuple[ModelSpec, ...] = (
    ModelSpec(
        name="who2019_nonlab_hiap",
        version="1.0.0",
        title="WHO 2019 CVD risk, non-laboratory, High-income Asia Pacific recalibration",
        source=_WHO_SOURCE,
        coefficients_source=_WHO_COEF,
        inputs=_WHO_INPUTS,
        valid_range=_WHO_RANGE,
        outputs=_WHO_OUT,
        verification="reproduces all 700 published HIAP chart cells; scoring.md §2.2 cases",
        calibration="GBD-2017 region High-income Asia Pacific (as in the WHO charts)",
        body=_who_body("hiap"),
    ),
    ModelSpec(
        name="who2019_nonlab_kor",
        version="1.0.0",
        title="WHO 2019 CVD risk, non-laboratory, South Korea country recalibration (option)",
        source=_WHO_SOURCE,
        coefficients_source=_WHO_COEF,
        inputs=_WHO_INPUTS,
        valid_range=_WHO_RANGE,
        outputs=_WHO_OUT,
        verification="scoring.md §2.2 'Korea-country cal' column; differs from published charts",
        calibration="GBD-2017 country South Korea (cal1)",
        body=_who_body("kor"),
    ),
    ModelSpec(
        name="framingham2008_office",
        version="1.0.0",
        title="Framingham 2008 general CVD, office (BMI) model",
        source=(
            "D'Agostino RB Sr, Vasan RS, Pencina MJ, et al. General cardiovascular risk profile "
            "for use in primary care: the Framingham Heart Study. Circulation 2008;117:743-753"
        ),
        coefficients_source=(
            "scoring.md §2.1 [V-impl: vcastro/CVrisk and two other implementations]"
        ),
        inputs=(
            ("male", "1 = male, 0 = female"),
            ("age", "years"),
            ("bmi", "kg/m2"),
            ("sbp", "systolic mmHg"),
            ("bp_treated", "on BP drugs 0/1"),
            ("smoker", "current smoker 0/1"),
            ("diabetes", "0/1"),
        ),
        valid_range={"age": [30.0, 74.0], "bmi": [10.0, 70.0], "sbp": [60.0, 260.0]},
        outputs={"risk": "10-year general CVD risk, fraction 0..1, [N,1]"},
        verification="scoring.md §2.1 cases (M 55/30/140 -> 16.75 %, matches CVrisk test)",
        calibration="none (US Framingham cohort; not calibrated for Koreans)",
        body=_framingham_body,
    ),
    ModelSpec(
        name="framingham_hypertension",
        version="1.0.0",
        title="Framingham incident-hypertension risk (Parikh 2008)",
        source=(
            "Parikh NI, Pencina MJ, Wang TJ, et al. A risk score for predicting near-term "
            "incidence of hypertension: the Framingham Heart Study. Ann Intern Med "
            "2008;148:102-110 [citation MEM]"
        ),
        coefficients_source=(
            "scoring.md §2.4 [V-impl: two implementations agree]; both-parents term -0.29038 "
            "[MEM, unverified]"
        ),
        inputs=(
            ("male", "1 = male, 0 = female"),
            ("age", "years"),
            ("bmi", "kg/m2"),
            ("sbp", "systolic mmHg"),
            ("dbp", "diastolic mmHg"),
            ("smoker", "current smoker 0/1"),
            ("parents_htn", "parents with hypertension 0/1/2"),
        ),
        valid_range={
            "age": [20.0, 69.0],
            "bmi": [10.0, 70.0],
            "sbp": [60.0, 139.0],
            "dbp": [30.0, 89.0],
        },
        outputs={
            "risk": "4-year incident hypertension risk, fraction 0..1, [N,1]",
            "risk_1y": "1-year risk, [N,1]",
        },
        verification="scoring.md §2.4 computed cases (no published worked example)",
        calibration="none (US Framingham offspring; under-estimates risk in Koreans per KoGES)",
        body=_htn_body,
    ),
    ModelSpec(
        name="findrisc",
        version="1.0.0",
        title="FINDRISC (Finnish Diabetes Risk Score), points 0-26",
        source=(
            "Lindström J, Tuomilehto J. The Diabetes Risk Score: a practical tool to predict "
            "type 2 diabetes risk. Diabetes Care 2003;26:725-731; official Finnish Diabetes "
            "Association form (with family history)"
        ),
        coefficients_source="scoring.md §2.6 [V-src: official form]",
        inputs=(
            ("male", "1 = male, 0 = female"),
            ("age", "years"),
            ("bmi", "kg/m2"),
            ("waist", "cm"),
            ("active", ">= 30 min activity daily 0/1"),
            ("vegetables", "vegetables/fruit/berries every day 0/1"),
            ("bp_drug", "ever regular BP medication 0/1"),
            ("high_glucose", "ever high blood glucose found 0/1"),
            ("family", "diabetes in family 0 none / 1 second degree / 2 first degree"),
        ),
        valid_range={"age": [18.0, 120.0], "bmi": [10.0, 70.0], "waist": [40.0, 200.0]},
        outputs={"points": "FINDRISC points 0..26, [N,1]"},
        verification="scoring.md §2.6 cases; exact-edge rows",
        calibration="Finnish cohorts 1987/1992, European waist cut-offs",
        body=_findrisc_body,
    ),
    ModelSpec(
        name="le8_subscores",
        version="1.0.0",
        title="Life's Essential 8 metric scores the kiosk can measure (BP, BMI, fasting glucose)",
        source=(
            "Lloyd-Jones DM, Allen NB, Anderson CAM, et al. Life's Essential 8. Circulation "
            "2022;146:e18-e43, Table 2 (adult scoring)"
        ),
        coefficients_source=(
            "scoring.md §4.1 [V-impl: matches an independent implementation; the advisory's "
            "table itself was not read]"
        ),
        inputs=(
            ("age", "years"),
            ("sbp", "systolic mmHg"),
            ("dbp", "diastolic mmHg"),
            ("bp_treated", "on BP drugs 0/1"),
            ("bmi", "kg/m2"),
            ("fasting_glucose", "mg/dL, fasting >= 8 h, no diabetes"),
        ),
        valid_range={"age": [20.0, 120.0]},
        outputs={
            "bp": "LE8 blood-pressure metric 0..100, [N,1]",
            "bmi": "LE8 BMI metric 0..100 (BMI < 18.5 is not scored by the advisory), [N,1]",
            "glucose": "LE8 glucose metric 100/60 for people without diabetes and FBG < 126, [N,1]",
        },
        verification="scoring.md §4.1 cases A/B and BP edge checks",
        calibration="n/a (points); sub-scores only, never a validated LE8 total",
        body=_le8_body,
    ),
)


def build_model(spec: ModelSpec) -> onnx.ModelProto:
    g = _Graph(len(spec.inputs))
    outputs = spec.body(g)
    # Rename final tensors to their public output names with Identity nodes.
    for public, internal in outputs.items():
        g.nodes.append(helper.make_node("Identity", [internal], [public], name=f"out_{public}"))
    x = helper.make_tensor_value_info("x", TensorProto.DOUBLE, ["N", len(spec.inputs)])
    outs = [
        helper.make_tensor_value_info(name, TensorProto.DOUBLE, ["N", None]) for name in outputs
    ]
    graph = helper.make_graph(g.nodes, spec.name, [x], outs, initializer=g.inits)
    model = helper.make_model(
        graph,
        ir_version=IR_VERSION,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="bitgoeul-kiosk edge_models.build",
        producer_version="1",
        model_version=int(spec.version.split(".")[0]),
        doc_string=spec.title,
    )
    helper.set_model_props(
        model,
        {
            "name": spec.name,
            "version": spec.version,
            "title": spec.title,
            "source": spec.source,
            "coefficients_source": spec.coefficients_source,
            "inputs": json.dumps([[n, u] for n, u in spec.inputs], ensure_ascii=False),
            "valid_range": json.dumps(spec.valid_range, sort_keys=True),
            "output": json.dumps(spec.outputs, sort_keys=True),
            "calibration": spec.calibration,
            "verification": spec.verification,
            "built_with": f"onnx helper, IR {IR_VERSION}, opset {OPSET}, float64",
        },
    )
    onnx.checker.check_model(model, full_check=True)
    return model


def build(out_dir: Path = DEFAULT_OUT) -> dict[str, Any]:
    out_dir.mkdir(parents=True, exist_ok=True)
    entries: dict[str, Any] = {}
    for spec in SPECS:
        data = build_model(spec).SerializeToString(deterministic=True)
        fname = f"{spec.name}.onnx"
        (out_dir / fname).write_bytes(data)
        entries[spec.name] = {
            "file": fname,
            "sha256": hashlib.sha256(data).hexdigest(),
            "version": spec.version,
            "source": spec.source,
        }
    manifest = {
        "format": MANIFEST_FORMAT,
        "integrity": "sha256 per file; an integrity manifest, not a cryptographic signature",
        "builder": "python -m edge_models.build",
        "models": entries,
    }
    text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    (out_dir / "manifest.json").write_text(text, encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m edge_models.build")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    args = parser.parse_args(argv)
    manifest = build(args.out)
    for name, entry in manifest["models"].items():
        print(f"{entry['sha256']}  {entry['file']}  ({name} {entry['version']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
