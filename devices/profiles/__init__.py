"""Device profiles: devices described as data in ``firmware_configs/``, validated on load.

Contract shared by the Bluetooth (issue 3) and serial (issue 4) work — keep to it:

* One TOML file per device family: ``firmware_configs/ble/<id>.toml`` or
  ``firmware_configs/serial/<id>.toml`` (tomllib, no extra dependency).
* Common tables, validated in ``devices/profiles/schema.py``::

      [profile]   id (= file stem), name, kind (blood_pressure|glucose|weight|body_composition),
                  transport ("ble" | "serial"), manufacturer, models (list), notes,
                  verified_on_hardware (bool; false until someone checked a real device)
      [match]     transport-specific match rules
      [procedure] transport-specific: what the kiosk does to get readings
      [quirks]    transport-specific flags
      [[example]]        input + expected decoded output (same keys as `kiosk devices decode`)
      [[must_not_match]] inputs (adverts, USB ids, frames) this profile must NOT claim

* Transport sections are parsed by ``devices/profiles/ble.py`` (issue 3) and
  ``devices/profiles/serial.py`` (issue 4); each exposes
  ``parse_section(doc: dict, where: SourceRef) -> <Section>``,
  ``decode_example(profile, example: dict) -> dict`` and
  ``matches(profile, candidate: dict) -> bool`` for must-not-match checks.
  The registry stores what ``parse_section`` returns as ``Profile.section``; ``where`` is a
  ``schema.SourceRef`` (``where.error(msg, field)`` builds the ProfileError). ``schema.py`` has
  shared validators (``check_keys``, ``table``, ``req_str``, ``opt_str``, ``opt_bool``,
  ``opt_str_list``, ``opt_int_list``); ``Profile.examples`` / ``must_not_match`` hold the raw
  tables and ``Profile.example_lines`` the line of each ``[[example]]``.
* ``devices/profiles/registry.py`` loads every file, keeps the source file and line of each
  profile, dispatches on ``transport``, and raises ``ProfileError`` (a DeviceError with
  ``path``, ``field`` and ``advice``) for a broken profile.
"""
