"""Sync to the citizen record: FHIR payloads and the outbox publisher."""
