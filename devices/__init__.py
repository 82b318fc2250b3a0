"""Device library: protocol codecs, transports and simulators.

Pure library code: it knows nothing of the kiosk application, Qt, MQTT or SQL (enforced by
import-linter contracts in pyproject.toml). Every driver yields the reading types in
:mod:`devices.readings`.
"""
