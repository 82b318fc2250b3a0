"""Deterministic simulated devices for tests and the demo (no radio, no hardware)."""

from devices.sim.ble import (
    SimulatedAir,
    SimulatedCharacteristic,
    SimulatedPeripheral,
    SimulatedService,
)
from devices.sim.bp_monitor import SimulatedBloodPressureMonitor

__all__ = [
    "SimulatedAir",
    "SimulatedBloodPressureMonitor",
    "SimulatedCharacteristic",
    "SimulatedPeripheral",
    "SimulatedService",
]
