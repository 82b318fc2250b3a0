"""``kiosk score [FILE|-]``: score one visitor given as one JSON object; print one JSON object.

Exit 1 with ``error: <field>: ...`` on invalid input or when a model fails its integrity check.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

INPUT_HELP = """\
input keys: sex ("M"/"F"), age, systolic, diastolic, pulse, bp_treated, smoker, diabetes
(bools), bmi or weight_kg + height_cm, waist_cm, body_fat_pct, glucose_mg_dl + glucose_context
("fasting"/"postprandial"/"random"); FINDRISC items: physically_active, vegetables_daily,
bp_medication_ever, high_glucose_history (bools), family_diabetes ("none"/"second_degree"/
"first_degree"); hypertension model: parents_hypertension (0/1/2).
output keys: who_cvd_10y, framingham_cvd_10y, hypertension_4y (fractions or null), bp_category,
bp_isolated_systolic, glucose_category, bmi_category, findrisc_points, alerts, out_of_range,
models (name -> version)."""


def score(args: argparse.Namespace) -> int:
    # Imported here so other kiosk commands do not pay for onnxruntime's import (~70 ms).
    from kiosk.scoring.models import DEFAULT_MODELS_DIR
    from kiosk.scoring.service import ScoringService, parse_inputs

    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text("utf-8")
        obj = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        print(f"error: input: {exc}", file=sys.stderr)
        return 1
    inputs = parse_inputs(obj)  # ScoringInputError -> "error: <field>: ..." via kiosk.cli
    # strict: an auditing tool must not silently drop a tampered model.
    models_dir = args.models or DEFAULT_MODELS_DIR
    service = ScoringService.load(models_dir, strict=True, who_calibration=args.who_calibration)
    print(json.dumps(service.assess(inputs).contract_json(), ensure_ascii=False, sort_keys=True))
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "score",
        help="score one visitor from a JSON object",
        epilog=INPUT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", nargs="?", default="-", help="JSON file, or - for stdin (default)")
    p.add_argument("--models", type=Path, help="models directory (default: edge_models/models)")
    p.add_argument(
        "--who-calibration",
        choices=("region", "country"),
        default="region",
        help="WHO 2019 recalibration: High-income Asia Pacific region (charts) or South Korea",
    )
    p.set_defaults(func=score)
