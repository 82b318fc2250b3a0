"""Deterministic simulated devices for tests and the demo (no radio, no hardware)."""

from devices.sim.ble import (
    SimulatedAir,
    SimulatedCharacteristic,
    SimulatedPeripheral,
    SimulatedService,
)
from devices.sim.bp_monitor import SimulatedBloodPressureMonitor
from devices.sim.glucose_meter import SimulatedGlucoseMeter

__all__ = [
    "SimulatedAir",
    "SimulatedBloodPressureMonitor",
    "SimulatedCharacteristic",
    "SimulatedGlucoseMeter",
    "SimulatedPeripheral",
    "SimulatedService",
]
