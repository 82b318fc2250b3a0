"""Serial-cable devices: pure codecs per protocol, framing helpers, a pyserial transport, drivers.

Codecs (tanita, otultra2, caresens, sdcodefree, lineproto) are pure functions over bytes; only
``transport`` and ``drivers`` touch pyserial.
"""
