"""Bluetooth LE transports over bleak. Only open/read/subscribe/reframe; decoding is in gatt/."""

from devices.ble.link import BloodPressureLink, DiscoveredDevice, discover_health_devices

__all__ = ["BloodPressureLink", "DiscoveredDevice", "discover_health_devices"]
