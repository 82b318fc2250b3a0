"""Scoring speed: all models for one visitor through the scoring service (hash-verified ONNX
sessions) against a plain-Python evaluation of the same equations, in the same run; plus the
time to verify and load every session. Targets (issue 5): p99 < 1 ms per visitor, load < 50 ms.

    .venv/bin/python bench/bench_scoring.py
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from edge_models import reference as ref
from kiosk.scoring.bp import classify_bp
from kiosk.scoring.models import ModelSet
from kiosk.scoring.service import ScoringService, parse_inputs
from kiosk.scoring.tables import BMI_KSSO, GLUCOSE_FASTING

VISITOR = {
    "sex": "F",
    "age": 63,
    "systolic": 128,
    "diastolic": 82,
    "bp_treated": False,
    "smoker": False,
    "diabetes": False,
    "bmi": 29.0,
    "waist_cm": 90,
    "glucose_mg_dl": 104,
    "glucose_context": "fasting",
    "physically_active": True,
    "vegetables_daily": False,
    "bp_medication_ever": True,
    "high_glucose_history": False,
    "family_diabetes": "first_degree",
    "parents_hypertension": 1,
}


def _plain_python() -> tuple[object, ...]:
    return (
        classify_bp(128, 82),
        GLUCOSE_FASTING.classify(104),
        BMI_KSSO.classify(29.0),
        ref.who_cvd(False, 63, 29.0, 128, False),
        ref.framingham_cvd(False, 63, 29.0, 128, False, False, False),
        ref.hypertension(False, 63, 29.0, 128, 82, False, 1),
        ref.findrisc(False, 63, 29.0, 90, True, False, True, False, 2),
    )


def _latencies(fn: Callable[[], object], n: int, warmup: int = 200) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def _p(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    loads = []
    for _ in range(10):
        t0 = time.perf_counter()
        model_set = ModelSet.load(strict=True)
        loads.append(time.perf_counter() - t0)
    service = ScoringService(model_set)
    inputs = parse_inputs(VISITOR)
    assessment = service.assess(inputs)
    assert None not in (
        assessment.who_cvd_10y,
        assessment.framingham_cvd_10y,
        assessment.hypertension_4y,
        assessment.findrisc_points,
    ), "bench visitor must exercise every model"

    n = 5_000
    onnx_lat = _latencies(lambda: service.assess(inputs), n)
    parse_lat = _latencies(lambda: service.assess(parse_inputs(VISITOR)), n)
    py_lat = _latencies(_plain_python, n)
    us = 1e6
    print(f"models: {', '.join(sorted(model_set.models))}")
    print(
        f"load + verify all {len(model_set.models)} sessions   "
        f"median {statistics.median(loads) * 1e3:6.2f} ms  max {max(loads) * 1e3:6.2f} ms"
        "  (target < 50 ms)"
    )
    print(
        f"assess one visitor (ONNX)        p50 {_p(onnx_lat, 0.5) * us:7.1f} us  "
        f"p99 {_p(onnx_lat, 0.99) * us:7.1f} us  (target p99 < 1000 us)"
    )
    print(
        f"parse + assess one visitor       p50 {_p(parse_lat, 0.5) * us:7.1f} us  "
        f"p99 {_p(parse_lat, 0.99) * us:7.1f} us"
    )
    print(
        f"baseline plain Python, same eqs  p50 {_p(py_lat, 0.5) * us:7.1f} us  "
        f"p99 {_p(py_lat, 0.99) * us:7.1f} us"
    )


if __name__ == "__main__":
    main()
