"""The scoring service and the ``kiosk score`` contract: input validation naming the field,
out-of-range marking instead of extrapolation, staff alerts (scoring.md §5.2), §5.1 wording."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kiosk.cli import main
from kiosk.scoring.service import ScoringInputError, ScoringService, parse_inputs

VISITOR: dict[str, Any] = {
    "sex": "M",
    "age": 62.5,
    "systolic": 150,
    "diastolic": 85,
    "bp_treated": False,
    "smoker": True,
    "diabetes": False,
    "bmi": 22.5,
    "waist_cm": 92,
    "glucose_mg_dl": 110,
    "glucose_context": "fasting",
}
CONTRACT_KEYS = {
    "who_cvd_10y",
    "framingham_cvd_10y",
    "hypertension_4y",
    "bp_category",
    "bp_isolated_systolic",
    "glucose_category",
    "bmi_category",
    "findrisc_points",
    "alerts",
    "out_of_range",
    "models",
}


@pytest.fixture(scope="module")
def service() -> ScoringService:
    return ScoringService.load(strict=True)


def _score(service: ScoringService, **changes: Any) -> dict[str, Any]:
    obj = {**VISITOR, **changes}
    obj = {k: v for k, v in obj.items() if v is not None}
    return service.assess(parse_inputs(obj)).contract_json()


def test_full_visitor(service: ScoringService) -> None:
    out = _score(service)
    assert set(out) == CONTRACT_KEYS
    assert out["who_cvd_10y"] == pytest.approx(0.1485, abs=0.001)  # scoring.md §2.2 case 1
    assert out["bp_category"] == "stage1"
    assert out["bp_isolated_systolic"] is True
    assert out["glucose_category"] == "prediabetes_range"
    assert out["bmi_category"] == "normal"
    assert out["findrisc_points"] is None  # questionnaire items missing
    assert out["hypertension_4y"] is None
    assert out["out_of_range"] == ["framingham_hypertension"]  # SBP 150: not its population
    assert out["models"]["who2019_nonlab_hiap"] == "1.0.0"


def test_weight_and_height_give_bmi(service: ScoringService) -> None:
    out = _score(service, bmi=None, weight_kg=72.0, height_cm=170.0)  # 24.91 -> 24.9
    assert out["bmi_category"] == "pre_obese"


def test_age_above_74_is_marked_not_extrapolated(service: ScoringService) -> None:
    out = _score(service, age=75)
    assert out["who_cvd_10y"] is None
    assert out["framingham_cvd_10y"] is None
    assert {"who2019_nonlab_hiap", "framingham2008_office"} <= set(out["out_of_range"])
    at_edge = _score(service, age=74)
    assert at_edge["who_cvd_10y"] is not None
    assert "who2019_nonlab_hiap" not in at_edge["out_of_range"]


def test_hypertension_model_for_untreated_normotensive(service: ScoringService) -> None:
    out = _score(service, age=45, systolic=125, diastolic=82, bmi=24, smoker=False,
                 parents_hypertension=1)  # fmt: skip
    assert out["hypertension_4y"] == pytest.approx(0.1533, abs=0.001)  # scoring.md §2.4
    treated = _score(service, age=45, systolic=125, diastolic=82, bp_treated=True,
                     parents_hypertension=1)  # fmt: skip
    assert treated["hypertension_4y"] is None
    assert "framingham_hypertension" in treated["out_of_range"]


def test_findrisc_through_the_service(service: ScoringService) -> None:
    out = _score(service, age=58, bmi=27.3, waist_cm=96, physically_active=False,
                 vegetables_daily=True, bp_medication_ever=True, high_glucose_history=False,
                 family_diabetes="first_degree")  # fmt: skip
    assert out["findrisc_points"] == 16  # scoring.md §2.6 case 2


def test_country_calibration_option() -> None:
    svc = ScoringService.load(who_calibration="country")
    out = svc.assess(parse_inputs(VISITOR)).contract_json()
    assert out["who_cvd_10y"] == pytest.approx(0.1479, abs=0.001)


@pytest.mark.parametrize(
    ("changes", "codes"),
    [
        ({"systolic": 179, "diastolic": 109}, ["bp_high"]),
        ({"systolic": 180, "diastolic": 90}, ["bp_very_high"]),
        ({"systolic": 150, "diastolic": 110}, ["bp_very_high"]),
        ({"systolic": 159, "diastolic": 99}, []),
        ({"systolic": 160, "diastolic": 80}, ["bp_high"]),
        ({"systolic": 80, "diastolic": 50}, []),
        ({"systolic": 79, "diastolic": 50}, ["bp_very_low"]),
        ({"glucose_mg_dl": 53}, ["glucose_very_low"]),
        ({"glucose_mg_dl": 54}, ["glucose_low"]),
        ({"glucose_mg_dl": 69}, ["glucose_low"]),
        ({"glucose_mg_dl": 70}, []),
        ({"glucose_mg_dl": 199}, []),
        ({"glucose_mg_dl": 200}, ["glucose_high"]),
        ({"glucose_mg_dl": 299}, ["glucose_high"]),
        ({"glucose_mg_dl": 300}, ["glucose_very_high"]),
        ({"pulse": 39}, ["pulse"]),
        ({"pulse": 40}, []),
        ({"pulse": 130}, []),
        ({"pulse": 131}, ["pulse"]),
    ],
)
def test_staff_alert_edges(
    service: ScoringService, changes: dict[str, Any], codes: list[str]
) -> None:
    assert _score(service, **changes)["alerts"] == codes


def test_red_alerts_carry_staff_now_wording(service: ScoringService) -> None:
    result = service.assess(parse_inputs({**VISITOR, "systolic": 185, "diastolic": 95}))
    (alert,) = result.alerts
    assert alert.level == "red"
    assert "직원" in alert.ko and "Staff" in alert.en


def test_visitor_text_is_non_diagnostic(service: ScoringService) -> None:
    result = service.assess(parse_inputs({**VISITOR, "systolic": 165}))
    assert result.text_ko[0].endswith("의사와 상담하세요.")
    assert "진단이 아닙니다" in result.text_ko[0]
    assert "not a diagnosis" in result.text_en[0]
    joined = " ".join(result.text_en + result.text_ko)
    assert "hypertension" not in joined.lower().replace("high blood pressure", "")
    assert any("WHO 2019" in line and "in 100" in line for line in result.text_en)


def test_hypoglycaemia_overrides_context_category(service: ScoringService) -> None:
    assert _score(service, glucose_mg_dl=50)["glucose_category"] == "hypoglycaemia_level2"
    assert _score(service, glucose_mg_dl=60, glucose_context="random")["glucose_category"] == (
        "hypoglycaemia_level1"
    )


@pytest.mark.parametrize(
    ("obj", "field"),
    [
        ({"sex": "X"}, "sex"),
        ({"age": "sixty"}, "age"),
        ({"age": 150}, "age"),
        ({"systolic": 120}, "diastolic"),
        ({"systolic": 80, "diastolic": 90}, "diastolic"),
        ({"smoker": 1}, "smoker"),
        ({"glucose_mg_dl": 100}, "glucose_context"),
        ({"glucose_mg_dl": 100, "glucose_context": "after_lunch"}, "glucose_context"),
        ({"weight_kg": 70}, "height_cm"),
        ({"nmae": "x"}, "nmae"),
        ({"family_diabetes": "cousin"}, "family_diabetes"),
        ({"parents_hypertension": 3}, "parents_hypertension"),
    ],
)
def test_invalid_input_names_the_field(obj: dict[str, Any], field: str) -> None:
    with pytest.raises(ScoringInputError) as info:
        parse_inputs(obj)
    assert info.value.field == field


def test_cli_contract_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(VISITOR)))
    assert main(["score", "-"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == CONTRACT_KEYS
    assert out["who_cvd_10y"] == pytest.approx(0.1485, abs=0.001)


def test_cli_invalid_input_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "in.json"
    path.write_text(json.dumps({**VISITOR, "diastolic": "high"}), "utf-8")
    assert main(["score", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: diastolic:")


def test_cli_refuses_tampered_models(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from kiosk.scoring.models import DEFAULT_MODELS_DIR

    d = tmp_path / "m"
    d.mkdir()
    for f in DEFAULT_MODELS_DIR.iterdir():
        (d / f.name).write_bytes(f.read_bytes())
    (d / "findrisc.onnx").write_bytes(b"not a model")
    src = tmp_path / "in.json"
    src.write_text(json.dumps(VISITOR), "utf-8")
    assert main(["score", "--models", str(d), str(src)]) == 1
    assert "error: model findrisc: SHA-256 mismatch" in capsys.readouterr().err


def test_cli_as_a_process() -> None:
    kiosk = Path(sys.executable).with_name("kiosk")
    proc = subprocess.run(
        [str(kiosk), "score"], input=json.dumps(VISITOR), capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["bp_category"] == "stage1"


def test_le8_subscores_only_where_scorable(service: ScoringService) -> None:
    # scoring.md §4.1 case A: 128/78 untreated, BMI 24.0, fasting 105 without diabetes.
    a = service.assess(parse_inputs({**VISITOR, "systolic": 128, "diastolic": 78, "bmi": 24.0,
                                     "glucose_mg_dl": 105}))  # fmt: skip
    assert a.le8 == {"bp": 75, "bmi": 100, "glucose": 60}
    # Diabetes is scored by HbA1c (not measured), post-meal values are not scorable, BMI < 18.5
    # is left to clinical judgement.
    b = service.assess(parse_inputs({**VISITOR, "diabetes": True, "bmi": 18.4}))
    assert b.le8 == {"bp": 25, "bmi": None, "glucose": None}
    c = service.assess(parse_inputs({**VISITOR, "glucose_context": "postprandial"}))
    assert c.le8["glucose"] is None


def test_missing_parent_history_is_missing_not_out_of_range(service: ScoringService) -> None:
    out = _score(service, systolic=125, diastolic=82)
    assert out["hypertension_4y"] is None
    assert "framingham_hypertension" not in out["out_of_range"]


def test_crisis_alert_from_cold_start_within_one_second() -> None:
    # Issue 5: a crisis reading must raise its staff alert within one second; here the whole path
    # from loading every verified session to the red alert is timed.
    import time

    t0 = time.perf_counter()
    svc = ScoringService.load(strict=True)
    result = svc.assess(parse_inputs({"systolic": 182, "diastolic": 100, "glucose_mg_dl": 45,
                                      "glucose_context": "random"}))  # fmt: skip
    elapsed = time.perf_counter() - t0
    assert [a.code for a in result.alerts] == ["bp_very_high", "glucose_very_low"]
    assert all(a.level == "red" for a in result.alerts)
    assert elapsed < 1.0, elapsed


def test_body_fat_reference_and_metabolic_screen(service: ScoringService) -> None:
    a = service.assess(parse_inputs({**VISITOR, "body_fat_pct": 25.5, "systolic": 132}))
    assert a.body_fat_reference == "above"  # men 60-79: 13-25 % (Gallagher 2000)
    assert a.waist_category == "abdominal_obesity"  # 92 cm, men >= 90
    assert a.metabolic_syndrome == "likely_lipids_needed"  # waist, BP >= 130, fasting >= 100
    b = service.assess(parse_inputs({**VISITOR, "glucose_context": "random"}))
    assert b.metabolic_syndrome == "undetermined_lipids_needed"


def test_score_help_lists_the_contract(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["score", "--help"])
    text = capsys.readouterr().out
    assert "glucose_context" in text and "out_of_range" in text
