"""Guichet's rules around pyotp: the codes of RFC 6238's vectors (so that SHA1, 30 seconds and
six digits are what we ask of it), one step either side, no reuse, what people type."""

import base64

import pytest

from guichet.accounts import totp

SHA1_SEED = b"12345678901234567890"
SECRET = base64.b32encode(SHA1_SEED).decode()  # GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ

# RFC 6238, Appendix B: (time, 8-digit TOTP with SHA1). Six digits are the last six of eight:
# the same number modulo 10**6.
VECTORS = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]
# RFC 4226, Appendix D: HOTP of the same seed for counters 0 to 4, i.e. the TOTP at steps 0-4.
HOTP = ["755224", "287082", "359152", "969429", "338314"]


@pytest.mark.parametrize(("at", "sha1"), VECTORS)
def test_rfc6238_vectors(at: int, sha1: str) -> None:
    assert totp.code_at(SECRET, at) == sha1[-6:]


def test_rfc4226_vectors_step_by_step() -> None:
    assert [totp.code_at(SECRET, counter * 30 + 29) for counter in range(5)] == HOTP
    assert [totp.time_step(counter * 30 + 29) for counter in range(5)] == [0, 1, 2, 3, 4]


def test_check_accepts_one_step_either_side_and_no_more() -> None:
    at = 1111111111  # step 37037037
    step = totp.time_step(at)
    assert step == 37037037
    for offset in (-1, 0, 1):
        code = totp.code_at(SECRET, at + 30 * offset)
        assert totp.check(SECRET, code, at) == totp.Check(step + offset)
    for offset in (-2, 2):
        assert totp.check(SECRET, totp.code_at(SECRET, at + 30 * offset), at) == totp.Check(None)


def test_check_refuses_a_step_already_used() -> None:
    at = 1111111111
    step = totp.time_step(at)
    code = totp.code_at(SECRET, at)
    assert totp.check(SECRET, code, at, last_used_step=step) == totp.Check(None, reused=True)
    assert totp.check(SECRET, code, at, last_used_step=step + 1).reused is True
    assert totp.check(SECRET, code, at, last_used_step=step - 1) == totp.Check(step)
    # An earlier step is refused after a later one was used, even within the window.
    earlier = totp.code_at(SECRET, at - 30)
    assert totp.check(SECRET, earlier, at, last_used_step=step) == totp.Check(None, reused=True)


@pytest.mark.parametrize(
    "typed", ["14050471", "", "12345", "1234567", "abcdef", "١٢٣٤٥٦", "０５０４７１"]
)
def test_check_refuses_malformed_codes(typed: str) -> None:
    # "０５０４７１" is the right code in full-width digits: refused, not normalised to ASCII.
    assert totp.check(SECRET, typed, 1111111111) == totp.Check(None)


def test_codes_may_be_typed_with_spaces() -> None:
    code = totp.code_at(SECRET, 1111111111)
    assert code == "050471"
    for typed in (f"{code[:3]} {code[3:]}", f"{code[:3]}-{code[3:]}", f" {code}\u00a0"):
        assert totp.check(SECRET, typed, 1111111111) == totp.Check(37037037)


def test_secrets_are_random_base32_of_160_bits() -> None:
    first, second = totp.new_secret(), totp.new_secret()
    assert first != second
    assert len(first) == 32
    assert len(base64.b32decode(first)) == 20
    # The key as shown (grouped) and typed in lower case gives the same codes.
    assert totp.code_at(totp.grouped(first).lower(), 1111111111) == totp.code_at(first, 1111111111)
    assert totp.grouped("ABCDEFGHIJ") == "ABCD EFGH IJ"


def test_provisioning_uri() -> None:
    # SHA1, 6 digits and 30 seconds are the Key Uri Format's defaults: pyotp leaves them out.
    uri = totp.provisioning_uri(SECRET, "alex+test@example.org", "Guichet")
    assert uri == (
        "otpauth://totp/Guichet:alex%2Btest%40example.org"
        "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Guichet"
    )
