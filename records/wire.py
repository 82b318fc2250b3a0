"""The MQTT contract between kiosks and the record service.

Topics (sync_records.md §2.6): the kiosk id is a whole topic level so one broker ACL pattern line
isolates every kiosk, and no personal data ever appears in a topic.

    gjhc/v1/kiosk/{kiosk_id}/obs/{kind}   kiosk -> records   QoS 1, one observation envelope
    gjhc/v1/kiosk/{kiosk_id}/obs/consent  kiosk -> records   QoS 1, one consent grant/withdrawal
    gjhc/v1/kiosk/{kiosk_id}/ack          records -> kiosk   QoS 1, committed / rejected msg ids
    gjhc/v1/kiosk/{kiosk_id}/status       kiosk, retained    "online" / "offline" (last will)
    gjhc/v1/kiosk/{kiosk_id}/evt/{event}  kiosk -> staff     QoS 1, ``alert`` on a crisis reading

A kiosk may forget an outbox row only after it sees the row's ``msg_id`` under ``committed`` on
its ack topic: the service publishes that only after the database transaction holding the row
has committed. Broker PUBACK means nothing more than "the broker has it".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

TOPIC_ROOT = "gjhc/v1"
SCHEMA = "gjhc.obs/1"
INGEST_GROUP = "ingest"
KINDS = ("bp", "glucose", "weight", "bodycomp")
# Consent records share the obs/ branch so the existing kiosk ACL line and the ingest
# subscription cover them; their own schema keeps them apart from Observations.
CONSENT_KIND = "consent"
CONSENT_SCHEMA = "gjhc.consent/1"
CONSENT_PURPOSES = ("health_data", "open_lab")
TOPIC_KINDS = (*KINDS, CONSENT_KIND)

_KIOSK_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_MSG_ID = re.compile(r"^[0-9a-f]{32}$")


class WireError(ValueError):
    """A message does not follow the contract. ``reason`` is short and safe to send back."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_broker_url(url: str) -> tuple[str, int]:
    """``mqtt://host[:port]`` or ``mqtts://host[:port]`` (TLS, default 8883) → (host, port)."""
    # Errors do not echo the URL: it may carry credentials.
    usage = "broker URL must look like mqtt://HOST:PORT or mqtts://HOST:PORT"
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts"):
        raise ValueError(f"{usage} (scheme {parts.scheme or 'missing'!r} not supported)")
    try:
        port = parts.port or (8883 if parts.scheme == "mqtts" else 1883)
    except ValueError as exc:  # port out of range or not a number
        raise ValueError(f"{usage} (bad port)") from exc
    if not parts.hostname or parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(usage)
    return parts.hostname, port


def check_kiosk_id(kiosk_id: str) -> str:
    # fullmatch: with match(), "$" also matches before a trailing newline ("k1\n" passed).
    if not isinstance(kiosk_id, str) or not _KIOSK_ID.fullmatch(kiosk_id):
        raise WireError(f"kiosk id must match {_KIOSK_ID.pattern}: {kiosk_id!r}")
    return kiosk_id


def obs_topic(kiosk_id: str, kind: str) -> str:
    if kind not in TOPIC_KINDS:
        raise WireError(f"unknown observation kind {kind!r}")
    return f"{TOPIC_ROOT}/kiosk/{check_kiosk_id(kiosk_id)}/obs/{kind}"


def ack_topic(kiosk_id: str) -> str:
    return f"{TOPIC_ROOT}/kiosk/{check_kiosk_id(kiosk_id)}/ack"


def event_topic(kiosk_id: str, event: str) -> str:
    """Kiosk → staff tooling events (``alert``, device errors). No personal data."""
    if not re.fullmatch(r"[a-z][a-z0-9_-]{0,31}", event):
        raise WireError(f"bad event name {event!r}")
    return f"{TOPIC_ROOT}/kiosk/{check_kiosk_id(kiosk_id)}/evt/{event}"


def status_topic(kiosk_id: str) -> str:
    return f"{TOPIC_ROOT}/kiosk/{check_kiosk_id(kiosk_id)}/status"


def ingest_subscription(shared: bool = True) -> str:
    """Subscription for ingest workers; shared so several workers split the load."""
    flt = f"{TOPIC_ROOT}/kiosk/+/obs/#"
    return f"$share/{INGEST_GROUP}/{flt}" if shared else flt


def parse_obs_topic(topic: str) -> tuple[str, str]:
    """Return (kiosk_id, kind) of an observation topic."""
    parts = topic.split("/")
    if len(parts) != 6 or "/".join(parts[:3]) != f"{TOPIC_ROOT}/kiosk" or parts[4] != "obs":
        raise WireError(f"not an observation topic: {topic!r}")
    kiosk_id, kind = parts[3], parts[5]
    check_kiosk_id(kiosk_id)
    if kind not in TOPIC_KINDS:
        raise WireError(f"unknown observation kind {kind!r}")
    return kiosk_id, kind


def _reject_constant(name: str) -> Any:
    # Python's json accepts NaN and Infinity; they are not JSON and PostgreSQL refuses them.
    raise json.JSONDecodeError(f"non-standard constant {name}", name, 0)


def _json_object(payload: bytes | bytearray, schema: str) -> dict[str, Any]:
    """Parse a message body: a JSON object (no NaN/Infinity) carrying ``schema``."""
    try:
        body = json.loads(payload, parse_constant=_reject_constant)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise WireError(f"payload is not JSON: {exc.__class__.__name__}") from exc
    if not isinstance(body, dict):
        raise WireError("payload is not a JSON object")
    if body.get("schema") != schema:
        raise WireError(f"unsupported schema {body.get('schema')!r}")
    return body


@dataclass(frozen=True, slots=True)
class Envelope:
    """One observation as it travels: a FHIR R4 Observation plus routing facts."""

    msg_id: str
    kiosk_id: str
    kind: str
    observation: dict[str, Any]

    def to_json(self) -> bytes:
        body = {
            "schema": SCHEMA,
            "msg_id": self.msg_id,
            "kiosk_id": self.kiosk_id,
            "kind": self.kind,
            "observation": self.observation,
        }
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, payload: bytes | bytearray) -> Envelope:
        body = _json_object(payload, SCHEMA)
        msg_id, kiosk_id, kind = body.get("msg_id"), body.get("kiosk_id"), body.get("kind")
        if not isinstance(msg_id, str) or not _MSG_ID.fullmatch(msg_id):
            raise WireError("msg_id must be 32 lowercase hex digits")
        if not isinstance(kiosk_id, str):
            raise WireError("kiosk_id missing")
        check_kiosk_id(kiosk_id)
        if kind not in KINDS:
            raise WireError(f"unknown observation kind {kind!r}")
        observation = body.get("observation")
        if not isinstance(observation, dict):
            raise WireError("observation must be a JSON object")
        return cls(msg_id=msg_id, kiosk_id=kiosk_id, kind=kind, observation=observation)


def _timestamp(body: dict[str, Any], name: str, required: bool) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise WireError(f"{name} missing")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise WireError(f"{name} is not an ISO 8601 time") from exc
    if parsed.tzinfo is None:
        raise WireError(f"{name} needs a UTC offset")
    return value


@dataclass(frozen=True, slots=True)
class ConsentMessage:
    """One consent's state as it travels (kind ``consent``): sent when granted and again when
    withdrawn. ``consent_id`` names the consent; ``msg_id`` names this message (the ack key)."""

    msg_id: str
    kiosk_id: str
    consent_id: str
    subject_ref: str  # citizen pseudonym; guests' consents never leave the kiosk
    purpose: str
    version: str
    granted_at: str  # ISO 8601 with offset
    withdrawn_at: str | None = None

    def to_json(self) -> bytes:
        body = {
            "schema": CONSENT_SCHEMA,
            "msg_id": self.msg_id,
            "kiosk_id": self.kiosk_id,
            "kind": CONSENT_KIND,
            "consent_id": self.consent_id,
            "subject_ref": self.subject_ref,
            "purpose": self.purpose,
            "version": self.version,
            "granted_at": self.granted_at,
            "withdrawn_at": self.withdrawn_at,
        }
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, payload: bytes | bytearray) -> ConsentMessage:
        body = _json_object(payload, CONSENT_SCHEMA)
        if body.get("kind") != CONSENT_KIND:
            raise WireError("kind must be consent")
        for name in ("msg_id", "consent_id"):
            value = body.get(name)
            if not isinstance(value, str) or not _MSG_ID.fullmatch(value):
                raise WireError(f"{name} must be 32 lowercase hex digits")
        kiosk_id = body.get("kiosk_id")
        if not isinstance(kiosk_id, str):
            raise WireError("kiosk_id missing")
        check_kiosk_id(kiosk_id)
        subject = body.get("subject_ref")
        if not isinstance(subject, str) or not 0 < len(subject) <= 64:
            raise WireError("subject_ref must be a pseudonym of 1 to 64 characters")
        if body.get("purpose") not in CONSENT_PURPOSES:
            raise WireError(f"purpose must be one of {', '.join(CONSENT_PURPOSES)}")
        version = body.get("version")
        if not isinstance(version, str) or not 0 < len(version) <= 32:
            raise WireError("version must be 1 to 32 characters")
        granted = _timestamp(body, "granted_at", required=True)
        withdrawn = _timestamp(body, "withdrawn_at", required=False)
        assert granted is not None
        return cls(
            msg_id=body["msg_id"],
            kiosk_id=kiosk_id,
            consent_id=body["consent_id"],
            subject_ref=subject,
            purpose=body["purpose"],
            version=version,
            granted_at=granted,
            withdrawn_at=withdrawn,
        )


@dataclass(frozen=True, slots=True)
class Ack:
    """The service's answer on a kiosk's ack topic."""

    committed: tuple[str, ...] = ()
    rejected: tuple[tuple[str, str], ...] = ()  # (msg_id, reason)

    def to_json(self) -> bytes:
        body = {
            "committed": list(self.committed),
            "rejected": [{"msg_id": m, "reason": r} for m, r in self.rejected],
        }
        return json.dumps(body, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, payload: bytes | bytearray) -> Ack:
        try:
            body = json.loads(payload)
            committed = tuple(str(m) for m in body.get("committed", []))
            rejected = tuple((str(r["msg_id"]), str(r["reason"])) for r in body.get("rejected", []))
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise WireError(f"malformed ack: {exc.__class__.__name__}") from exc
        return cls(committed=committed, rejected=rejected)


# --- FHIR R4 Observation checks -----------------------------------------------------------
# Structure and the codes this project relies on (PHD IG + KR Core); not a full FHIR validator.

# The subject identifier system of a citizen's pseudonym (guests have no subject to record).
CITIZEN_SYSTEM = "urn:gjhc:citizen-record:pseudonym"
LOINC = "http://loinc.org"
MDC = "urn:iso:std:iso:11073:10101"
UCUM = "http://unitsofmeasure.org"

BP_PANEL = "85354-9"
BP_SYSTOLIC = "8480-6"
BP_DIASTOLIC = "8462-4"
BP_MEAN = "8478-0"
HEART_RATE = "8867-4"
GLUCOSE_MASS = "2339-0"
BODY_WEIGHT = "29463-7"
BODY_FAT = "41982-0"

_REQUIRED_CODE = {
    "bp": BP_PANEL,
    "glucose": GLUCOSE_MASS,
    "weight": BODY_WEIGHT,
    "bodycomp": BODY_FAT,
}
# Single-value kinds: (UCUM unit, plausible range) checked on valueQuantity.
_SINGLE_VALUE = {
    "glucose": ("mg/dL", 10.0, 900.0),
    "weight": ("kg", 10.0, 300.0),
    "bodycomp": ("%", 2.0, 75.0),
}


def _list(value: Any) -> list[Any]:
    """A JSON array, or [] when absent; anything else is not a valid FHIR array."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise WireError("expected a JSON array")
    return value


def _codes(concept: Any) -> set[tuple[str, str]]:
    if not isinstance(concept, dict):
        return set()
    out = set()
    for coding in _list(concept.get("coding")):
        if isinstance(coding, dict):
            out.add((str(coding.get("system")), str(coding.get("code"))))
    return out


def _quantity(component: dict[str, Any], code: str) -> float:
    vq = component.get("valueQuantity")
    if not isinstance(vq, dict):
        raise WireError(f"component {code} has no valueQuantity")
    value = vq.get("value")
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise WireError(f"component {code} value is not a number")
    if vq.get("system") != UCUM or not isinstance(vq.get("code"), str):
        raise WireError(f"component {code} unit is not UCUM")
    return float(value)


def validate_observation(kind: str, obs: dict[str, Any], msg_id: str) -> None:
    """Raise WireError if ``obs`` is not an Observation this service can store."""
    if obs.get("resourceType") != "Observation":
        raise WireError("resourceType must be Observation")
    if obs.get("status") not in ("final", "amended", "preliminary"):
        raise WireError("status must be final, amended or preliminary")
    if not isinstance(obs.get("effectiveDateTime"), str):
        raise WireError("effectiveDateTime missing")
    ids = _list(obs.get("identifier"))
    if not any(isinstance(i, dict) and i.get("value") == msg_id for i in ids):
        raise WireError("identifier must carry the msg_id")
    needed = _REQUIRED_CODE.get(kind)
    if needed and (LOINC, needed) not in _codes(obs.get("code")):
        raise WireError(f"code must include LOINC {needed}")
    if kind in _SINGLE_VALUE:
        unit, low, high = _SINGLE_VALUE[kind]
        value = _quantity(obs, kind)
        if obs["valueQuantity"].get("code") != unit:
            raise WireError(f"{kind} must be sent in {unit}")
        if not low <= value <= high:
            raise WireError(f"{kind} value out of range")
    if kind == "bp":
        found: dict[str, float] = {}
        for comp in _list(obs.get("component")):
            if not isinstance(comp, dict):
                raise WireError("component must be an object")
            for system, code in _codes(comp.get("code")):
                if system == LOINC and code in (BP_SYSTOLIC, BP_DIASTOLIC):
                    found[code] = _quantity(comp, code)
        if set(found) != {BP_SYSTOLIC, BP_DIASTOLIC}:
            raise WireError("blood pressure needs systolic and diastolic components")
        if not 0 < found[BP_DIASTOLIC] < found[BP_SYSTOLIC] < 400:
            raise WireError("blood pressure values out of range")
