"""On-device scoring: guideline classification now, ONNX risk models later."""
