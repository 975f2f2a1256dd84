"""Time-based one-time passwords (RFC 6238): Guichet's rules around pyotp's arithmetic.

Authenticator applications (FreeOTP, Aegis, Google Authenticator, Microsoft Authenticator…)
share a random secret with Guichet once, then both sides derive the same six digits from it
and the current 30-second step. pyotp computes the codes (HMAC-SHA1, six digits, 30 seconds)
and the `otpauth://` address; this module adds Guichet's rules: it accepts the step before and
the step after the current one (clocks drift, people type slowly) and never the same step twice
for one person. The caller stores the step of the last accepted code
(`TotpDevice.last_used_step`) and passes it back, so a code seen over someone's shoulder cannot
be replayed.

This module takes and returns strings and integers; it touches no database.
"""

import hmac
from dataclasses import dataclass

import pyotp

STEP_SECONDS = 30
DIGITS = 6
WINDOW = 1  # steps accepted on either side of the current one
SECRET_CHARS = 32  # base32 characters: 160 bits, the length RFC 4226 recommends for HMAC-SHA1


def new_secret() -> str:
    """A fresh random secret, base32-encoded without padding (32 characters)."""
    return pyotp.random_base32(length=SECRET_CHARS)


def grouped(secret: str, size: int = 4) -> str:
    """The secret in groups of four characters, easier to read and to type."""
    return " ".join(secret[i : i + size] for i in range(0, len(secret), size))


def _device(secret: str) -> pyotp.TOTP:
    """pyotp's generator for `secret`, tolerating spaces and lower case (a grouped secret)."""
    cleaned = "".join(secret.split()).upper()
    return pyotp.TOTP(cleaned, digits=DIGITS, interval=STEP_SECONDS)


def time_step(at: float) -> int:
    """The number of whole steps since the Unix epoch at the instant `at` (seconds)."""
    return int(at // STEP_SECONDS)


def code_at(secret: str, at: float) -> str:
    """The code an application holding `secret` shows at the instant `at` (Unix seconds)."""
    return _device(secret).at(at)


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
    `last_used_step`. Every candidate is compared in constant time.

    pyotp's own `verify_and_get_timecode` stops at the first step that matches; every step of
    the window is compared here, so that a code matching a used step and a fresh one (a one in
    a million coincidence) is still accepted, as the refusal of replays intends."""
    code = normalize_code(code)
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return Check(None)
    device = _device(secret)
    current = device.timecode(at)  # the step pyotp counts from, as time_step(at) does
    matched = [
        current + offset
        for offset in range(-WINDOW, WINDOW + 1)
        if hmac.compare_digest(device.at(at, counter_offset=offset).encode(), code.encode())
    ]
    fresh = [step for step in matched if last_used_step is None or step > last_used_step]
    if fresh:
        return Check(fresh[0])
    return Check(None, reused=bool(matched))


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The `otpauth://` address authenticator applications read (Key Uri Format). pyotp leaves
    out the algorithm, digits and period when they are the defaults (SHA1, 6, 30): ours."""
    return _device(secret).provisioning_uri(name=account, issuer_name=issuer)
