"""Subcommands of the ``kiosk`` CLI: one module per command group, each with ``register``."""
