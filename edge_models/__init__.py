"""ONNX scoring models and the builder that writes them (issue 5). Empty in the foundation."""
