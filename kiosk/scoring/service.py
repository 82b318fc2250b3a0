"""The kiosk scoring service: guideline categories, staff alerts and ONNX risk models for one
visitor, computed on the device.

    service = ScoringService.load()            # once at start-up; never raises on bad models
    inputs = parse_inputs({"sex": "M", ...})   # raises ScoringInputError naming the field
    assessment = service.assess(inputs)        # categories, alerts, risks, out_of_range, texts

Results outside a model's validated range (e.g. age > 74 for the WHO model) are not extrapolated:
the risk is None and the model is listed in ``out_of_range``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.errors import KioskError
from kiosk.scoring import tables
from kiosk.scoring.bp import BpCategory, classify_bp
from kiosk.scoring.models import DEFAULT_MODELS_DIR, ModelSet

WHO_MODELS = {"region": "who2019_nonlab_hiap", "country": "who2019_nonlab_kor"}
FRAMINGHAM = "framingham2008_office"
HYPERTENSION = "framingham_hypertension"
FINDRISC = "findrisc"
LE8 = "le8_subscores"

# §5.1 wording (proposal; to be reviewed by the centre's physician).
DISCLAIMER_KO = (
    "이 결과는 참고용 건강정보이며 진단이 아닙니다. 정확한 진단과 치료는 의사와 상담하세요."
)
DISCLAIMER_EN = "This is health information for reference, not a diagnosis. Consult a doctor."
SINGLE_KO = "한 번의 측정으로는 고혈압·당뇨병을 진단할 수 없습니다."
SINGLE_EN = "A single measurement cannot diagnose high blood pressure or diabetes."

_BP_CODES = {
    BpCategory.NORMAL: "normal",
    BpCategory.ELEVATED: "elevated",
    BpCategory.PREHYPERTENSION: "prehypertension",
    BpCategory.HYPERTENSION_1: "stage1",
    BpCategory.HYPERTENSION_2: "stage2",
}
_FAMILY = {"none": 0, "second_degree": 1, "first_degree": 2}


class ScoringInputError(KioskError):
    advice = "Check the named input field and its units."

    def __init__(self, field_name: str, problem: str) -> None:
        super().__init__(f"{field_name}: {problem}")
        self.field = field_name


@dataclass(frozen=True, slots=True)
class ScoringInputs:
    sex: str | None = None  # "M" / "F"
    age: float | None = None
    systolic: float | None = None
    diastolic: float | None = None
    pulse: float | None = None
    bp_treated: bool | None = None
    smoker: bool | None = None
    diabetes: bool | None = None
    bmi: float | None = None
    waist_cm: float | None = None
    body_fat_pct: float | None = None
    glucose_mg_dl: float | None = None
    glucose_context: str | None = None
    physically_active: bool | None = None
    vegetables_daily: bool | None = None
    bp_medication_ever: bool | None = None
    high_glucose_history: bool | None = None
    family_diabetes: str | None = None
    parents_hypertension: int | None = None


# Plausibility bounds: outside them the input is rejected, not scored (scoring.md §3.2 tips).
_NUMBERS: dict[str, tuple[float, float]] = {
    "age": (18, 120),
    "systolic": (50, 300),
    "diastolic": (20, 200),
    "pulse": (20, 250),
    "bmi": (10, 80),
    "weight_kg": (20, 300),
    "height_cm": (100, 230),
    "waist_cm": (40, 200),
    "body_fat_pct": (2, 75),
    "glucose_mg_dl": (10, 800),
}
_BOOLS = (
    "bp_treated",
    "smoker",
    "diabetes",
    "physically_active",
    "vegetables_daily",
    "bp_medication_ever",
    "high_glucose_history",
)
_KNOWN = {"sex", "glucose_context", "family_diabetes", "parents_hypertension"}
_KNOWN |= set(_NUMBERS) | set(_BOOLS)


def parse_inputs(obj: Any) -> ScoringInputs:
    """Validate one JSON object of the ``kiosk score`` contract."""
    if not isinstance(obj, Mapping):
        raise ScoringInputError("input", "expected one JSON object")
    unknown = sorted(set(obj) - _KNOWN)
    if unknown:
        raise ScoringInputError(unknown[0], "unknown field")
    nums: dict[str, float] = {}
    for key, (low, high) in _NUMBERS.items():
        v = obj.get(key)
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise ScoringInputError(key, f"expected a number, got {v!r}")
        if not low <= v <= high:
            raise ScoringInputError(key, f"{v} is outside the plausible range {low}..{high}")
        nums[key] = float(v)
    bools: dict[str, bool] = {}
    for key in _BOOLS:
        v = obj.get(key)
        if v is None:
            continue
        if not isinstance(v, bool):
            raise ScoringInputError(key, f"expected true or false, got {v!r}")
        bools[key] = v
    sex = obj.get("sex")
    if sex is not None and sex not in ("M", "F"):
        raise ScoringInputError("sex", f'expected "M" or "F", got {sex!r}')
    if "systolic" in nums and "diastolic" in nums and nums["diastolic"] >= nums["systolic"]:
        raise ScoringInputError("diastolic", "must be lower than systolic")
    if ("systolic" in nums) != ("diastolic" in nums):
        raise ScoringInputError("diastolic" if "systolic" in nums else "systolic", "missing pair")
    bmi = nums.get("bmi")
    if bmi is None and ("weight_kg" in nums or "height_cm" in nums):
        if "weight_kg" not in nums or "height_cm" not in nums:
            raise ScoringInputError("height_cm", "weight_kg and height_cm are needed together")
        bmi = nums["weight_kg"] / (nums["height_cm"] / 100) ** 2
        if not _NUMBERS["bmi"][0] <= bmi <= _NUMBERS["bmi"][1]:
            raise ScoringInputError("bmi", f"computed BMI {bmi:.1f} is implausible")
    if bmi is not None:
        bmi = round(bmi, 1)  # display precision first, so screen and category agree
    context = obj.get("glucose_context")
    if context is not None and context not in tables.GLUCOSE_BY_CONTEXT:
        raise ScoringInputError(
            "glucose_context", f"expected one of fasting/postprandial/random, got {context!r}"
        )
    if "glucose_mg_dl" in nums and context is None:
        raise ScoringInputError("glucose_context", "required with glucose_mg_dl")
    family = obj.get("family_diabetes")
    if family is not None and family not in _FAMILY:
        raise ScoringInputError("family_diabetes", "expected none/second_degree/first_degree")
    parents = obj.get("parents_hypertension")
    if parents is not None and (isinstance(parents, bool) or parents not in (0, 1, 2)):
        raise ScoringInputError("parents_hypertension", "expected 0, 1 or 2")
    return ScoringInputs(
        sex=sex,
        age=nums.get("age"),
        systolic=nums.get("systolic"),
        diastolic=nums.get("diastolic"),
        pulse=nums.get("pulse"),
        bmi=bmi,
        waist_cm=nums.get("waist_cm"),
        body_fat_pct=nums.get("body_fat_pct"),
        glucose_mg_dl=None if "glucose_mg_dl" not in nums else float(round(nums["glucose_mg_dl"])),
        glucose_context=context,
        family_diabetes=family,
        parents_hypertension=parents,
        **bools,
    )


@dataclass(frozen=True, slots=True)
class StaffAlert:
    code: str
    level: str  # "red": staff now; "amber": see a doctor soon
    ko: str
    en: str


def staff_alerts(inputs: ScoringInputs) -> list[StaffAlert]:
    """scoring.md §5.2 (design choices anchored in §1; need sign-off by the centre's physician)."""
    out: list[StaffAlert] = []
    if inputs.systolic is not None and inputs.diastolic is not None:
        sbp, dbp = round(inputs.systolic), round(inputs.diastolic)
        if sbp >= 180 or dbp >= 110:
            out.append(
                StaffAlert(
                    "bp_very_high",
                    "red",
                    "직원이 곧 도와드립니다. 혈압이 매우 높습니다.",
                    "Staff will help you now: very high blood pressure.",
                )
            )
        elif sbp >= 160 or dbp >= 100:
            out.append(
                StaffAlert(
                    "bp_high",
                    "amber",
                    "가까운 시일 내에 의사와 상담하세요.",
                    "Please see a doctor soon (within days).",
                )
            )
        if sbp < 80:
            out.append(
                StaffAlert(
                    "bp_very_low",
                    "red",
                    "직원이 곧 도와드립니다. 혈압이 매우 낮습니다.",
                    "Staff will help you now: very low blood pressure.",
                )
            )
    if inputs.pulse is not None and (inputs.pulse < 40 or inputs.pulse > 130):
        out.append(
            StaffAlert(
                "pulse",
                "red",
                "직원이 곧 도와드립니다. 맥박을 확인해야 합니다.",
                "Staff will help you now: your pulse needs checking.",
            )
        )
    g = inputs.glucose_mg_dl
    if g is not None:
        if g < 54:
            out.append(
                StaffAlert(
                    "glucose_very_low",
                    "red",
                    "직원이 곧 도와드립니다. 혈당이 매우 낮습니다.",
                    "Staff will help you now: very low blood sugar.",
                )
            )
        elif g < 70:
            out.append(
                StaffAlert(
                    "glucose_low",
                    "amber",
                    "직원이 확인하고 15분 뒤 다시 측정합니다.",
                    "Staff will check; measure again in 15 minutes.",
                )
            )
        elif g >= 300:
            out.append(
                StaffAlert(
                    "glucose_very_high",
                    "red",
                    "직원이 곧 도와드립니다. 혈당이 매우 높습니다.",
                    "Staff will help you now: very high blood sugar.",
                )
            )
        elif g >= 200:
            out.append(
                StaffAlert(
                    "glucose_high",
                    "amber",
                    "가까운 시일 내에 의사와 상담하세요.",
                    "Please see a doctor soon.",
                )
            )
    return out


@dataclass(frozen=True, slots=True)
class Assessment:
    bp_category: str | None
    bp_isolated_systolic: bool | None
    glucose_category: str | None
    hypoglycaemia: str | None
    bmi_category: str | None
    waist_category: str | None
    body_fat_reference: str | None  # below/within/above Gallagher 2000 range; reference only
    metabolic_syndrome: str | None
    who_cvd_10y: float | None
    framingham_cvd_10y: float | None
    hypertension_4y: float | None
    findrisc_points: int | None
    alerts: list[StaffAlert]
    out_of_range: list[str]
    models: dict[str, str]
    # LE8 metric scores 0..100 (bp, bmi, glucose); None where not scorable. Never a total.
    le8: dict[str, int | None] = field(default_factory=dict)
    model_outputs: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    text_ko: list[str] = field(default_factory=list)
    text_en: list[str] = field(default_factory=list)

    def contract_json(self) -> dict[str, Any]:
        """The ``kiosk score`` output object."""
        return {
            "who_cvd_10y": self.who_cvd_10y,
            "framingham_cvd_10y": self.framingham_cvd_10y,
            "hypertension_4y": self.hypertension_4y,
            "bp_category": self.bp_category,
            "bp_isolated_systolic": self.bp_isolated_systolic,
            "glucose_category": self.glucose_category,
            "bmi_category": self.bmi_category,
            "findrisc_points": self.findrisc_points,
            "alerts": [a.code for a in self.alerts],
            "out_of_range": self.out_of_range,
            "models": self.models,
        }


def _risk_text(model_ko: str, model_en: str, risk: float) -> tuple[str, str]:
    per100 = max(1, round(risk * 100))
    return (
        f"{model_ko}로 계산한 추정치: 앞으로 10년 안에 심장병·뇌졸중이 생길 가능성 "
        f"약 100명 중 {per100}명. 한국인에게는 정확하지 않을 수 있습니다.",
        f"{model_en} estimate: about {per100} in 100 people like you may have a heart attack or "
        "stroke within 10 years. It may not fit Koreans exactly.",
    )


class ScoringService:
    def __init__(self, model_set: ModelSet, who_calibration: str = "region") -> None:
        if who_calibration not in WHO_MODELS:
            raise ValueError(f"who_calibration must be one of {sorted(WHO_MODELS)}")
        self.model_set = model_set
        self.who_model = WHO_MODELS[who_calibration]

    @classmethod
    def load(
        cls,
        models_dir: Path = DEFAULT_MODELS_DIR,
        *,
        strict: bool = False,
        who_calibration: str = "region",
    ) -> ScoringService:
        return cls(ModelSet.load(models_dir, strict=strict), who_calibration)

    @property
    def unavailable(self) -> dict[str, str]:
        return self.model_set.unavailable

    def _run(
        self,
        name: str,
        row: dict[str, float] | None,
        out_of_range: list[str],
        outputs: dict[str, dict[str, list[float]]],
        applicable: bool = True,
    ) -> dict[str, list[float]] | None:
        model = self.model_set.models.get(name)
        if model is None or row is None:
            return None
        # Population first: a visitor outside it is reported even if an input is missing.
        if not applicable or model.out_of_range(row):
            out_of_range.append(name)
            return None
        if any(col not in row for col in model.columns):
            return None
        result = model.run([row[col] for col in model.columns])
        outputs[name] = result
        return result

    def _le8(
        self,
        i: ScoringInputs,
        out_of_range: list[str],
        outputs: dict[str, dict[str, list[float]]],
    ) -> dict[str, int | None]:
        """Each metric only where its inputs exist; placeholders (0) feed the graph otherwise and
        their outputs are discarded."""
        scorable = {
            "bp": i.systolic is not None and i.diastolic is not None and i.bp_treated is not None,
            # The advisory leaves BMI < 18.5 to clinical judgement.
            "bmi": i.bmi is not None and i.bmi >= 18.5,
            # Fasting value of a person without diabetes only; diabetes is scored by HbA1c.
            "glucose": i.glucose_context == "fasting"
            and i.diabetes is False
            and i.glucose_mg_dl is not None
            and i.glucose_mg_dl < 126,
        }
        if i.age is None or not any(scorable.values()):
            return dict.fromkeys(scorable)
        row = {
            "age": i.age,
            "sbp": float(round(i.systolic or 0)),
            "dbp": float(round(i.diastolic or 0)),
            "bp_treated": float(bool(i.bp_treated)),
            "bmi": i.bmi or 0.0,
            "fasting_glucose": i.glucose_mg_dl or 0.0,
        }
        result = self._run(LE8, row, out_of_range, outputs)
        if result is None:
            return dict.fromkeys(scorable)
        return {k: round(result[k][0]) if ok else None for k, ok in scorable.items()}

    def assess(self, i: ScoringInputs) -> Assessment:
        out_of_range: list[str] = []
        outputs: dict[str, dict[str, list[float]]] = {}
        ko, en = [DISCLAIMER_KO, SINGLE_KO], [DISCLAIMER_EN, SINGLE_EN]

        bp_code = iso = None
        if i.systolic is not None and i.diastolic is not None:
            bp = classify_bp(i.systolic, i.diastolic)
            bp_code, iso = _BP_CODES[bp.category], bp.isolated_systolic
            ko.append(f"혈압 {bp.systolic}/{bp.diastolic}: {bp.text.ko}")
            en.append(f"Blood pressure {bp.systolic}/{bp.diastolic}: {bp.text.en}")
        glucose = hypo = None
        if i.glucose_mg_dl is not None and i.glucose_context is not None:
            band = tables.GLUCOSE_BY_CONTEXT[i.glucose_context].classify(i.glucose_mg_dl)
            glucose = band.code
            hypo = tables.HYPOGLYCAEMIA.classify(i.glucose_mg_dl).code
            if hypo != "none":
                glucose = f"hypoglycaemia_{hypo}"
            ko.append(f"혈당 {i.glucose_mg_dl:.0f} mg/dL: {band.ko}")
            en.append(f"Blood glucose {i.glucose_mg_dl:.0f} mg/dL: {band.en}")
        bmi_code = None
        if i.bmi is not None:
            b = tables.BMI_KSSO.classify(i.bmi)
            bmi_code = b.code
            ko.append(f"체질량지수 {i.bmi:.1f}: {b.ko}")
            en.append(f"BMI {i.bmi:.1f}: {b.en}")
        waist = None
        if i.waist_cm is not None and i.sex is not None:
            waist = tables.WAIST_KSSO[i.sex].classify(i.waist_cm).code
        body_fat = None
        if i.body_fat_pct is not None and i.sex is not None and i.age is not None:
            body_fat = tables.body_fat_reference(i.sex, i.age, i.body_fat_pct)
        mets = None
        if i.sex is not None:
            fasting = i.glucose_mg_dl if i.glucose_context == "fasting" else None
            mets = tables.metabolic_syndrome_screen(
                i.sex,
                waist_cm=i.waist_cm,
                systolic=i.systolic,
                diastolic=i.diastolic,
                bp_treated=bool(i.bp_treated),
                fasting_glucose=fasting,
            )

        base: dict[str, float] | None = None
        if (
            i.sex is not None
            and i.age is not None
            and i.bmi is not None
            and i.systolic is not None
            and i.smoker is not None
        ):
            base = {
                "male": float(i.sex == "M"),
                "age": i.age,
                "bmi": i.bmi,
                "sbp": float(round(i.systolic)),
                "smoker": float(i.smoker),
            }
        who = self._run(self.who_model, base, out_of_range, outputs)
        fram_row: dict[str, float] | None = None
        if base is not None and i.bp_treated is not None and i.diabetes is not None:
            fram_row = {**base, "bp_treated": float(i.bp_treated), "diabetes": float(i.diabetes)}
        fram = self._run(FRAMINGHAM, fram_row, out_of_range, outputs)
        htn_row: dict[str, float] | None = None
        if base is not None and i.diastolic is not None and i.bp_treated is not None:
            htn_row = {**base, "dbp": float(round(i.diastolic))}
            if i.parents_hypertension is not None:
                htn_row["parents_htn"] = float(i.parents_hypertension)
        # Derivation population: untreated, non-hypertensive (scoring.md §2.4).
        htn = self._run(
            HYPERTENSION, htn_row, out_of_range, outputs, applicable=i.bp_treated is False
        )
        bp_ever = i.bp_medication_ever if i.bp_medication_ever is not None else i.bp_treated
        fr_row: dict[str, float] | None = None
        if (
            i.sex is not None
            and i.age is not None
            and i.bmi is not None
            and i.waist_cm is not None
            and i.physically_active is not None
            and i.vegetables_daily is not None
            and bp_ever is not None
            and i.high_glucose_history is not None
            and i.family_diabetes is not None
        ):
            fr_row = {
                "male": float(i.sex == "M"),
                "age": i.age,
                "bmi": i.bmi,
                "waist": i.waist_cm,
                "active": float(i.physically_active),
                "vegetables": float(i.vegetables_daily),
                "bp_drug": float(bp_ever),
                "high_glucose": float(i.high_glucose_history),
                "family": float(_FAMILY[i.family_diabetes]),
            }
        fr = self._run(FINDRISC, fr_row, out_of_range, outputs)

        le8 = self._le8(i, out_of_range, outputs)

        who_risk = None if who is None else who["risk"][0]
        if who_risk is not None:
            k, e = _risk_text(
                "WHO 2019 모델(아시아·태평양 고소득 지역 보정)",
                "WHO 2019 model (Asia-Pacific regional calibration)",
                who_risk,
            )
            ko.append(k)
            en.append(e)
        if out_of_range:
            ko.append("일부 위험도는 검증된 범위(예: 나이) 밖이라 계산하지 않았습니다.")
            en.append(
                "Some risk estimates were not calculated: outside the range the model was "
                "validated for."
            )
        return Assessment(
            bp_category=bp_code,
            bp_isolated_systolic=iso,
            glucose_category=glucose,
            hypoglycaemia=hypo,
            bmi_category=bmi_code,
            waist_category=waist,
            body_fat_reference=body_fat,
            metabolic_syndrome=mets,
            who_cvd_10y=who_risk,
            framingham_cvd_10y=None if fram is None else fram["risk"][0],
            hypertension_4y=None if htn is None else htn["risk"][0],
            findrisc_points=None if fr is None else round(fr["points"][0]),
            alerts=staff_alerts(i),
            out_of_range=out_of_range,
            models={n: m.version for n, m in sorted(self.model_set.models.items())},
            le8=le8,
            model_outputs=outputs,
            text_ko=ko,
            text_en=en,
        )
