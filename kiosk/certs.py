"""A small kiosk PKI with the ``openssl`` command: one dedicated kiosk CA, a broker server
certificate, and client certificates whose CN is the broker username (mosquitto
``use_identity_as_username``): a kiosk id, or the record service's identity.

The CA must be dedicated: mosquitto accepts a client certificate from ANY CA in its ``cafile``,
so a public or shared CA would let strangers connect. Private keys are written 0600 and never
belong in the repository (sync_records.md §3.2 has the steps this module runs).
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from kiosk.errors import ConfigError, KioskError
from records.wire import check_kiosk_id

CA_NAME = "kiosk-ca"
DEFAULT_DAYS = 825


class CertError(KioskError):
    """openssl is missing or refused to issue a certificate."""

    advice = "Install openssl (`apt-get install openssl`) and check the folder is writable."


def _openssl(*args: str) -> None:
    exe = shutil.which("openssl")
    if exe is None:
        raise CertError("the openssl command is not installed")
    proc = subprocess.run([exe, *args], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise CertError(f"openssl {args[0]} failed: {proc.stderr.strip()[-500:]}")


def _key(path: Path) -> None:
    _openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", str(path))
    os.chmod(path, 0o600)


def issue_ca(folder: Path, *, days: int = DEFAULT_DAYS, name: str = "Bitgoeul kiosk CA") -> Path:
    """Create ``kiosk-ca.key`` and ``kiosk-ca.crt`` in ``folder``; refuse to overwrite a CA."""
    folder.mkdir(parents=True, exist_ok=True)
    key, crt = folder / f"{CA_NAME}.key", folder / f"{CA_NAME}.crt"
    if key.exists() or crt.exists():
        raise ConfigError(f"a CA already exists in {folder}; refusing to overwrite it")
    _key(key)
    _openssl(
        "req", "-x509", "-new", "-key", str(key), "-out", str(crt), "-days", str(days),
        "-subj", f"/CN={name}",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    )  # fmt: skip
    return crt


def _issue(folder: Path, cn: str, ext: str, days: int) -> Path:
    ca_key, ca_crt = folder / f"{CA_NAME}.key", folder / f"{CA_NAME}.crt"
    if not ca_key.exists():
        raise ConfigError(f"no CA in {folder}; run `kiosk certs ca --out {folder}` first")
    key, crt = folder / f"{cn}.key", folder / f"{cn}.crt"
    _key(key)
    with tempfile.TemporaryDirectory() as tmp:
        csr, extfile = Path(tmp) / "req.csr", Path(tmp) / "ext.cnf"
        extfile.write_text(ext)
        _openssl("req", "-new", "-key", str(key), "-out", str(csr), "-subj", f"/CN={cn}")
        _openssl(
            "x509", "-req", "-in", str(csr), "-CA", str(ca_crt), "-CAkey", str(ca_key),
            "-CAcreateserial", "-out", str(crt), "-days", str(days), "-extfile", str(extfile),
        )  # fmt: skip
    return crt


def issue_server(folder: Path, hosts: list[str], *, days: int = DEFAULT_DAYS) -> Path:
    """The broker's certificate; ``hosts`` are its DNS names and IP addresses."""
    if not hosts:
        raise ConfigError("a server certificate needs at least one host name or IP")
    alt = []
    for h in hosts:
        try:
            ipaddress.ip_address(h)
            alt.append(f"IP:{h}")
        except ValueError:
            alt.append(f"DNS:{h}")
    ext = f"subjectAltName={','.join(alt)}\nextendedKeyUsage=serverAuth\n"
    return _issue(folder, "server", ext, days)


def issue_client(folder: Path, cn: str, *, days: int = DEFAULT_DAYS) -> Path:
    """A client certificate; CN = kiosk id (or the record service's name) = broker username."""
    check_kiosk_id(cn)  # same alphabet as kiosk ids: safe in topics, ACLs and file names
    return _issue(folder, cn, "extendedKeyUsage=clientAuth\n", days)
