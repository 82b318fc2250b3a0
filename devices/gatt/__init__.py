"""Pure codecs for Bluetooth SIG GATT characteristics (bytes in, reading types out; no I/O)."""
