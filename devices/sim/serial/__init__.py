"""Serial devices simulated on pseudo-terminals, each run as its own process
(``python -m devices.sim.serial PROTOCOL --link PATH``) so the kiosk opens a real tty through
pyserial. See ``devices.sim.serial.runner`` for the stdin control commands and faults."""
