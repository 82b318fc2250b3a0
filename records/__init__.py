"""The citizen-record service: ingests kiosk observations over MQTT into a database.

:mod:`records.wire` is the contract between kiosks and this service (topics, envelope, ack);
kiosks import it, this package imports nothing of the kiosk.
"""
