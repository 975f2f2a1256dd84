"""Time-based one-time passwords (RFC 6238, on HOTP of RFC 4226), with no dependency.

Authenticator applications (FreeOTP, Aegis, Google Authenticator, Microsoft Authenticator…)
share a random secret with Guichet once, then both sides derive the same six digits from it
and the current 30-second step. Guichet accepts the step before and the step after the current
one (clocks drift, people type slowly) and never the same step twice for one person: the
caller stores the step of the last accepted code (`TotpDevice.last_used_step`) and passes it
back, so a code seen over someone's shoulder cannot be replayed.

This module is plain Python: it takes and returns bytes, strings and integers.
"""

import base64
import hashlib
import hmac
import secrets
import struct
from dataclasses import dataclass
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6
WINDOW = 1  # steps accepted on either side of the current one
SECRET_BYTES = 20  # 160 bits, the length RFC 4226 recommends for HMAC-SHA1

_DIGESTS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512}


def new_secret() -> str:
    """A fresh random secret, base32-encoded without padding (32 characters)."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii").rstrip("=")


def secret_bytes(secret: str) -> bytes:
    """Decode a base32 secret, tolerating spaces, lower case and missing padding."""
    cleaned = "".join(secret.split()).upper()
    cleaned += "=" * (-len(cleaned) % 8)
    return base64.b32decode(cleaned)


def grouped(secret: str, size: int = 4) -> str:
    """The secret in groups of four characters, easier to read and to type."""
    return " ".join(secret[i : i + size] for i in range(0, len(secret), size))


def hotp(key: bytes, counter: int, digits: int = DIGITS, algorithm: str = "sha1") -> str:
    """RFC 4226: the one-time password for `counter`, as a zero-padded decimal string."""
    mac = hmac.new(key, struct.pack(">Q", counter), _DIGESTS[algorithm]).digest()
    offset = mac[-1] & 0x0F
    (binary,) = struct.unpack(">I", mac[offset : offset + 4])
    return str((binary & 0x7FFFFFFF) % 10**digits).zfill(digits)


def time_step(at: float, step: int = STEP_SECONDS) -> int:
    """The number of whole steps since the Unix epoch at the instant `at` (seconds)."""
    return int(at // step)


def totp(key: bytes, at: float, digits: int = DIGITS, algorithm: str = "sha1") -> str:
    """RFC 6238: the password valid at the instant `at` (Unix seconds)."""
    return hotp(key, time_step(at), digits, algorithm)


def normalize_code(code: str) -> str:
    """What people type, without spaces or hyphens ("123 456" is "123456")."""
    return "".join(ch for ch in code if ch not in " -\u00a0\u202f\t")


@dataclass(frozen=True)
class Check:
    """The outcome of checking a code: `step` is set when the code is accepted; `reused` says
    that the code was right but its step was already used."""

    step: int | None
    reused: bool = False

    @property
    def ok(self) -> bool:
        return self.step is not None


def check(secret: str, code: str, at: float, last_used_step: int | None = None) -> Check:
    """Check `code` against the steps around the instant `at`, refusing any step at or before
    `last_used_step`. Every candidate is compared in constant time."""
    code = normalize_code(code)
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return Check(None)
    key = secret_bytes(secret)
    current = time_step(at)
    matched = [
        candidate
        for candidate in range(current - WINDOW, current + WINDOW + 1)
        if hmac.compare_digest(hotp(key, candidate).encode(), code.encode())
    ]
    fresh = [step for step in matched if last_used_step is None or step > last_used_step]
    if fresh:
        return Check(fresh[0])
    return Check(None, reused=bool(matched))


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The `otpauth://` address authenticator applications read (Key Uri Format)."""
    label = quote(f"{issuer}:{account}", safe=":@")
    query = urlencode(
        {
            "secret": secret,
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": DIGITS,
            "period": STEP_SECONDS,
        },
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"
