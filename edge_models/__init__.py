"""ONNX scoring models, their reproducible builder and model cards (issue 5); see README.md."""
