"""The demo stack: everything a kiosk needs, started privately with embedded defaults.

A private mosquitto (from the system binary, when installed), the record service on a SQLite
file, a simulated Bluetooth blood-pressure monitor injected into bleak as a backend, and the
kiosk runtime. Used by ``kiosk demo`` (window) and ``kiosk demo --headless`` (no window).
"""

from __future__ import annotations

import asyncio
import logging
import random
import shutil
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Any

from devices.readings import MealContext
from devices.sim.ble import SimulatedAir
from devices.sim.bp_monitor import SimulatedBloodPressureMonitor
from devices.sim.glucose_meter import SimulatedGlucoseMeter
from devices.sim.scale import SimulatedSigScale
from kiosk.errors import KioskError
from kiosk.localbroker import LocalBrokerError, PrivateMosquitto
from kiosk.runtime import KioskConfig, KioskRuntime
from kiosk.session import BpResult, RetryRequest, VisitorKind
from kiosk.staff import Role
from kiosk.sync.publisher import PublisherSettings
from records.service import RecordService

log = logging.getLogger(__name__)

DEMO_KIOSK_ID = "demo-kiosk-01"
# The kiosk's own UDS slot on the demo scale, as staff would register it once.
DEMO_SCALE_USER = (0, 4321)


@dataclass(frozen=True, slots=True)
class SimulatedBp:
    systolic: int
    diastolic: int
    pulse: int


def simulated_bp(rng: random.Random) -> SimulatedBp:
    """Plausible readings spread over the categories, as a senior centre sees them."""
    systolic = int(rng.triangular(100, 175, 132))
    diastolic = int(min(systolic - 25, rng.triangular(60, 105, 80)))
    return SimulatedBp(systolic, diastolic, int(rng.triangular(52, 105, 72)))


def demo_monitor() -> SimulatedBloodPressureMonitor:
    """The simulated cuff the demo and the end-to-end tests use."""
    return SimulatedBloodPressureMonitor(
        address="C0:FF:EE:00:00:01",
        name="BPM SIM-1",
        model="SIM-BP1",
        manufacturer="Bitgoeul Sim",
        serial_number="SIM0001",
        firmware="1.0.0",
        live_cuff=True,  # sends its pressure while inflating (0x2A36), shown on the guidance
    )


class DemoStack:
    def __init__(
        self,
        data_dir: Path | None = None,
        *,
        kiosk_id: str = DEMO_KIOSK_ID,
        with_broker: bool = True,
        seed: int | None = None,
        publisher: PublisherSettings | None = None,
    ) -> None:
        self._owns_dir = data_dir is None
        self.data_dir = (
            Path(tempfile.mkdtemp(prefix="kiosk-demo-")) if data_dir is None else data_dir
        )
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.kiosk_id = kiosk_id
        self.with_broker = with_broker
        self.rng = random.Random(seed)
        self.publisher_settings = publisher or PublisherSettings(
            poll_interval=0.2, resend_after=timedelta(seconds=5)
        )
        self.broker: PrivateMosquitto | None = None
        self.records: RecordService | None = None
        self.runtime: KioskRuntime | None = None
        self.air = SimulatedAir()
        self.monitor = demo_monitor()
        self.meter = SimulatedGlucoseMeter(address="C0:FF:EE:00:01:01", name="GLS SIM-1")
        self.scale = SimulatedSigScale(
            address="C0:FF:EE:00:02:01", name="BCS SIM-1", users=dict([DEMO_SCALE_USER])
        )
        self.air.add(self.monitor)
        self.air.add(self.meter)
        self.air.add(self.scale)
        self.broker_problem: str | None = None
        self.demo_pins: dict[Role, str] = {}

    def start(self, *, wait_for_devices: bool = True) -> KioskRuntime:
        """``wait_for_devices=False`` for a window: it shows at once while the simulated devices
        are found (see KioskRuntime.start)."""
        broker_url = None
        if self.with_broker:
            try:
                self.broker = PrivateMosquitto(data_dir=self.data_dir / "broker")
                self.broker.start()
                broker_url = self.broker.url
            except LocalBrokerError as exc:
                # The kiosk still measures and stores; results wait in the outbox.
                self.broker, self.broker_problem = None, f"{exc} ({exc.advice})"
                log.warning("no private broker: %s", self.broker_problem)
        if broker_url:
            self.records = RecordService(broker_url, f"sqlite:///{self.data_dir / 'records.db'}")
            self.records.start()
            self.records.wait_ready(10.0)
        config = KioskConfig(
            kiosk_id=self.kiosk_id,
            data_dir=self.data_dir / "kiosk",
            broker_url=broker_url,
            publisher=self.publisher_settings,
            discover_timeout=1.0,
            rescan_interval=1.0,
        )
        self.runtime = KioskRuntime(
            config,
            client_backend=self.air.client_backend,
            scanner_backend=self.air.scanner_backend,
        )
        # Demo PINs for the staff screen (1234 staff, 9876 technician), only if none exist;
        # a real kiosk's PINs come from `kiosk staff add-pin`.
        self.demo_pins = self.runtime.staff.seed_demo_pins()
        # As staff would pair them from the admin screen.
        allow = self.runtime.allowlist
        allow.add(self.monitor.address, profile_id="sig_bps", kind="blood_pressure", label="BP 1")
        allow.add(self.meter.address, profile_id="sig_gls", kind="glucose", label="Glucose 1")
        allow.add(
            self.scale.address, profile_id="sig_bcs", kind="body_composition", label="Scale 1"
        )
        self.runtime.hub.scale_consent[self.scale.address.upper()] = DEMO_SCALE_USER
        self.runtime.start(discover=True, wait_for_devices=wait_for_devices)
        if self.demo_pins:
            self.runtime.demo_pin_hint = demo_pin_hint(self.demo_pins)
        self.runtime.demo_actions = (
            # With the live cuff pressure first, as a real cuff's inflation shows.
            ("혈압 모의 측정 · Simulate BP", self.simulate_measurement_live),
            ("혈당 모의 측정 · Simulate glucose", self.simulate_glucose),
            ("체중 모의 측정 · Simulate weight", self.simulate_weight),
        )
        return self.runtime

    def simulate_measurement(self) -> None:
        """The visitor presses START on the (simulated) cuff. Safe from any thread."""
        assert self.runtime is not None
        bp = simulated_bp(self.rng)
        self.runtime.spawn(
            self.monitor.measure(systolic=bp.systolic, diastolic=bp.diastolic, pulse=bp.pulse)
        )

    def simulate_measurement_live(self, step_s: float = 0.15) -> None:
        """Like :meth:`simulate_measurement`, but the cuff first reports its pressure while
        it inflates and deflates (0x2A36), then the result. Safe from any thread."""
        assert self.runtime is not None
        bp = simulated_bp(self.rng)
        self.runtime.spawn(self._inflate_then_measure(bp, step_s))

    async def _inflate_then_measure(self, bp: SimulatedBp, step_s: float) -> None:
        top = bp.systolic + 30
        pressures = [*range(20, top, 20), top, *range(top - 15, bp.diastolic - 10, -15)]
        for pressure in pressures:
            await self.monitor.inflate([pressure])
            await asyncio.sleep(step_s)
        await self.monitor.measure(systolic=bp.systolic, diastolic=bp.diastolic, pulse=bp.pulse)

    def simulate_glucose(self) -> None:
        """A fasting fingerstick on the (simulated) meter; the kiosk imports it on its next
        scan, as it would from a real meter that advertises after a measurement."""
        assert self.runtime is not None
        mg_dl = int(self.rng.triangular(80, 180, 105))
        # The simulator lives on the runtime loop; touch it only there.
        self.runtime.call_soon(
            partial(self.meter.add_record, mg_dl, at=datetime.now(), meal=MealContext.FASTING)
        )

    def simulate_weight(self) -> None:
        """The visitor steps on the (simulated) scale; the kiosk connects when it sees the
        scale's advert, proves its UDS consent and gets weight and body composition."""
        assert self.runtime is not None
        weight = round(self.rng.triangular(45.0, 90.0, 62.0), 1)
        fat = round(self.rng.triangular(15.0, 38.0, 26.0), 1)
        # The scale keeps its indications until the kiosk subscribes, as a real one does
        # while it shows the result.
        self.runtime.spawn(self.scale.step_on(weight, body_fat_percent=fat, impedance_ohm=480.0))

    def stop(self) -> None:
        if self.runtime is not None:
            self.runtime.stop()
            self.runtime = None
        if self.records is not None:
            self.records.stop()
            self.records = None
        if self.broker is not None:
            self.broker.close()
            self.broker = None
        if self._owns_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> DemoStack:
        self.start()
        return self

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def demo_pin_hint(pins: Mapping[Role, str]) -> str:
    """Shown on the staff PIN pad of the demo only; how to open it is printed on the console
    (the visitor screens keep their room: no extra line in the demo strip)."""
    staff, tech = pins[Role.STAFF], pins[Role.TECHNICIAN]
    return (
        f"시연용 PIN: 직원 {staff}, 기술 담당 {tech} · Demo PINs: staff {staff}, technician {tech}"
    )


def run_visitors(
    stack: DemoStack, visitors: int, *, guests: int = 0, result_timeout: float = 15.0
) -> list[str]:
    """Each simulated visitor identifies, consents and takes one BP measurement: first
    ``visitors`` citizen-app visitors (synced), then ``guests`` guests (kept on the kiosk)."""
    runtime = stack.runtime
    assert runtime is not None
    msg_ids: list[str] = []
    for n in range(visitors + guests):
        done = threading.Event()
        outcome: list[BpResult | RetryRequest] = []

        def record(
            value: Any,
            sink: list[BpResult | RetryRequest] = outcome,
            signal: threading.Event = done,
        ) -> None:
            sink.append(value)
            signal.set()

        off_result = runtime.visits.result_added.connect(record)
        off_retry = runtime.visits.retry_requested.connect(record)
        try:
            if n < visitors:
                kind, subject = VisitorKind.CITIZEN_APP, f"demo-pseudonym-{n:04d}"
            else:
                kind, subject = VisitorKind.GUEST, None
            runtime.submit(runtime.visits.start_visit, kind, subject).result(10)
            runtime.submit(runtime.visits.give_consent).result(10)
            stack.simulate_measurement()
            if not done.wait(result_timeout):
                raise KioskError(f"visitor {n + 1}: no result within {result_timeout} s")
            if isinstance(outcome[0], BpResult):
                msg_ids.append(outcome[0].measurement_id)
            runtime.submit(runtime.visits.end_visit).result(10)
        finally:
            off_result()
            off_retry()
    return msg_ids


def wait_until_settled(stack: DemoStack, msg_ids: list[str], timeout: float) -> dict[str, str]:
    """Poll the outbox until every row is committed or rejected, or the timeout passes."""
    runtime = stack.runtime
    assert runtime is not None
    deadline = time.monotonic() + timeout
    while True:
        states = runtime.store.outbox_states(msg_ids)
        if all(s in ("committed", "rejected") for s in states.values()):
            return states
        if time.monotonic() > deadline:
            return states
        time.sleep(0.05)


def headless_report(
    visitors: int,
    *,
    guests: int = 0,
    data_dir: Path | None = None,
    timeout: float = 60.0,
    seed: int | None = None,
) -> dict[str, Any]:
    started = time.monotonic()
    with DemoStack(data_dir, seed=seed) as stack:
        msg_ids = run_visitors(stack, visitors, guests=guests)
        states = wait_until_settled(stack, msg_ids, timeout if stack.broker else 0.0)
        assert stack.runtime is not None
        quarantined = len(stack.runtime.store.quarantined())
        records = stack.records.counters if stack.records else None
        problem = stack.broker_problem
    values = list(states.values())
    # Guest measurements have no outbox row: they never leave the kiosk.
    report: dict[str, Any] = {
        "visitors": visitors + guests,
        "measurements": len(msg_ids),
        "synced": values.count("committed"),
        "kept_on_kiosk": len(msg_ids) - len(values),
        "pending": len(values) - values.count("committed") - values.count("rejected"),
        "rejected": values.count("rejected"),
        "quarantined": quarantined,
        "elapsed_s": round(time.monotonic() - started, 3),
    }
    if records is not None:
        report["record_service"] = records
    if problem:
        report["broker_problem"] = problem
    return report
