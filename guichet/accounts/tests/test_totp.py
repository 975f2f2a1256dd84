"""RFC 6238 one-time passwords: the RFC's own test vectors, the window, no reuse."""

import base64

import pytest

from guichet.accounts import totp

SHA1_SEED = b"12345678901234567890"
SHA256_SEED = b"12345678901234567890123456789012"
SHA512_SEED = b"1234567890123456789012345678901234567890123456789012345678901234"

# RFC 6238, Appendix B: (time, 8-digit TOTP) for SHA1, SHA256 and SHA512.
VECTORS = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]


@pytest.mark.parametrize(("at", "sha1", "sha256", "sha512"), VECTORS)
def test_rfc6238_vectors(at: int, sha1: str, sha256: str, sha512: str) -> None:
    assert totp.totp(SHA1_SEED, at, digits=8) == sha1
    assert totp.totp(SHA256_SEED, at, digits=8, algorithm="sha256") == sha256
    assert totp.totp(SHA512_SEED, at, digits=8, algorithm="sha512") == sha512
    # Six digits are the last six of eight: the same number modulo 10**6.
    assert totp.totp(SHA1_SEED, at) == sha1[-6:]


def test_rfc4226_hotp_vectors() -> None:
    expected = ["755224", "287082", "359152", "969429", "338314"]
    assert [totp.hotp(SHA1_SEED, counter) for counter in range(5)] == expected


SECRET = base64.b32encode(SHA1_SEED).decode()  # GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ


def test_check_accepts_one_step_either_side_and_no_more() -> None:
    at = 1111111111  # step 37037037
    step = totp.time_step(at)
    assert step == 37037037
    for offset in (-1, 0, 1):
        code = totp.hotp(SHA1_SEED, step + offset)
        assert totp.check(SECRET, code, at) == totp.Check(step + offset)
    for offset in (-2, 2):
        assert totp.check(SECRET, totp.hotp(SHA1_SEED, step + offset), at) == totp.Check(None)


def test_check_refuses_a_step_already_used() -> None:
    at = 1111111111
    step = totp.time_step(at)
    code = totp.hotp(SHA1_SEED, step)
    assert totp.check(SECRET, code, at, last_used_step=step) == totp.Check(None, reused=True)
    assert totp.check(SECRET, code, at, last_used_step=step + 1).reused is True
    assert totp.check(SECRET, code, at, last_used_step=step - 1) == totp.Check(step)
    # An earlier step is refused after a later one was used, even within the window.
    earlier = totp.hotp(SHA1_SEED, step - 1)
    assert totp.check(SECRET, earlier, at, last_used_step=step).ok is False


@pytest.mark.parametrize("typed", ["14050471", "", "12345", "1234567", "abcdef", "١٢٣٤٥٦"])
def test_check_refuses_malformed_codes(typed: str) -> None:
    assert totp.check(SECRET, typed, 1111111111) == totp.Check(None)


def test_codes_may_be_typed_with_spaces() -> None:
    code = totp.totp(SHA1_SEED, 1111111111)
    spaced = f"{code[:3]} {code[3:]}"
    assert totp.check(SECRET, spaced, 1111111111).ok


def test_secrets_are_random_base32_of_160_bits() -> None:
    first, second = totp.new_secret(), totp.new_secret()
    assert first != second
    assert len(first) == 32
    assert len(totp.secret_bytes(first)) == 20
    assert totp.secret_bytes(totp.grouped(first).lower()) == totp.secret_bytes(first)
    assert totp.grouped("ABCDEFGHIJ") == "ABCD EFGH IJ"


def test_provisioning_uri() -> None:
    uri = totp.provisioning_uri(SECRET, "alex+test@example.org", "Guichet")
    assert uri == (
        "otpauth://totp/Guichet:alex%2Btest@example.org?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        "&issuer=Guichet&algorithm=SHA1&digits=6&period=30"
    )
