"""The QR code of the enrolment page. The expected matrices were produced by an independent
encoder (python-qrcode, same version, level M and mask); during development every version from
1 to 10 and every mask matched it module for module, and zbar decoded them."""

import hashlib
import xml.etree.ElementTree as ET

import pytest

from guichet.accounts import qrcode

URI = (
    "otpauth://totp/Guichet:alex%2Btest@example.org?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    "&issuer=Guichet&algorithm=SHA1&digits=6&period=30"
)


def digest(modules: list[list[bool]]) -> str:
    bits = "".join("1" if dark else "0" for row in modules for dark in row)
    return hashlib.sha256(bits.encode()).hexdigest()


@pytest.mark.parametrize(
    ("data", "mask", "size", "expected"),
    [
        (b"hello", 0, 21, "99ccedcf0d82e92a63894c8b42e405a3ac50eafa33ee2ce68fa895813fdcb386"),
        (URI.encode(), 5, 49, "d1f799c09c69e5ad5e4a43dc89f9b52975452b168b9528a3fbf00234b9b78fe1"),
        (
            bytes(range(200)),
            3,
            57,
            "4177aa0af7df58f86143e6caf7ca8af8ae4930f14230b4303643674d1e9ad238",
        ),
    ],
)
def test_matrix_matches_an_independent_encoder(
    data: bytes, mask: int, size: int, expected: str
) -> None:
    modules = qrcode.matrix(data, mask)
    assert len(modules) == size
    assert all(len(row) == size for row in modules)
    assert digest(modules) == expected


def test_finder_patterns_and_timing() -> None:
    modules = qrcode.matrix(URI.encode())
    size = len(modules)
    finder = ["#######", "#.....#", "#.###.#", "#.###.#", "#.###.#", "#.....#", "#######"]
    for top, left in ((0, 0), (0, size - 7), (size - 7, 0)):
        drawn = [
            "".join("#" if modules[top + y][left + x] else "." for x in range(7)) for y in range(7)
        ]
        assert drawn == finder
    assert [modules[6][x] for x in range(8, size - 8)] == [x % 2 == 0 for x in range(8, size - 8)]


def test_too_much_data_is_refused() -> None:
    with pytest.raises(ValueError, match="trop de données"):
        qrcode.matrix(b"x" * 214)


def test_svg_is_an_accessible_image() -> None:
    drawing = qrcode.svg(URI, "Code QR <de> configuration")
    root = ET.fromstring(drawing)  # noqa: S314 (our own output)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox") == "0 0 57 57"  # 49 modules and a quiet zone of 4 on each side
    title = root.find(f"{ns}title")
    assert title is not None
    assert title.text == "Code QR <de> configuration"
    assert "style" not in drawing  # the site's CSP forbids inline styles
