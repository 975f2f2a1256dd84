"""The enrolment page's QR code (segno): an accessible inline SVG with no style attribute, which
a real decoder (zxing-cpp, reading the modules the SVG draws) reads back as the page's
otpauth:// address."""

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import time_machine
import zxingcpp
from django.test import Client

from guichet.accounts import totp
from guichet.accounts.models import User
from guichet.accounts.tests.helpers import log_in
from guichet.accounts.views import qr_code_svg
from guichet.testing import PASSWORD

SVG = "{http://www.w3.org/2000/svg}"
ENROL = "/accounts/double-authentification/"
URI = (
    "otpauth://totp/Guichet:alex%2Btest%40example.org"
    "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Guichet"
)
_STEP = re.compile(r"([Mm])(-?\d+(?:\.\d+)?) (-?\d+(?:\.\d+)?)h(\d+)")


def modules(drawing: str) -> np.ndarray:
    """The dark modules the SVG draws, quiet zone included (True is dark). Reads exactly the
    shape segno writes: a white square, then one stroked path of horizontal runs of one module
    in height, in module units under a scale transform; anything else fails the test."""
    root = ET.fromstring(drawing)  # noqa: S314 (our own output)
    (group,) = root.findall(f"{SVG}g")
    scale = int(group.get("transform", "").removeprefix("scale(").removesuffix(")"))
    side = int(root.get("width", "")) // scale
    background, dark = group.findall(f"{SVG}path")
    assert (background.get("fill"), background.get("d")) == ("#fff", f"M0 0h{side}v{side}h-{side}z")
    assert dark.get("stroke") == "#000"
    grid = np.zeros((side, side), dtype=bool)
    path = dark.get("d", "")
    x = y = 0.0
    consumed = 0
    for found in _STEP.finditer(path):
        assert found.start() == consumed, path[consumed : found.start()]
        consumed = found.end()
        command, dx, dy, length = found.groups()
        x, y = (float(dx), float(dy)) if command == "M" else (x + float(dx), y + float(dy))
        row, start = int(y - 0.5), int(x)  # a stroke of width 1 centred on the module's row
        assert row + 0.5 == y and start == x
        grid[row, start : start + int(length)] = True
        x += int(length)
    assert consumed == len(path) > 0
    return grid


def decoded(drawing: str) -> list[str]:
    """What zxing-cpp reads from the drawing rendered at 4 pixels a module."""
    pixels = np.kron(np.where(modules(drawing), 0, 255), np.ones((4, 4))).astype(np.uint8)
    return [found.text for found in zxingcpp.read_barcodes(pixels)]


def test_the_svg_decodes_to_the_address() -> None:
    assert decoded(qr_code_svg(URI, "Code QR")) == [URI]


def test_the_svg_is_an_accessible_image_without_style() -> None:
    drawing = qr_code_svg(URI, "Code QR <de> configuration & « clé »")
    root = ET.fromstring(drawing)  # noqa: S314 (our own output)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    # Version 6 (41 modules) for this address, a quiet zone of 4 modules on each side, 4 px each.
    assert (root.get("width"), root.get("height")) == ("196", "196")
    assert modules(drawing).shape == (49, 49)
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text == "Code QR <de> configuration & « clé »"
    assert root[0] is title  # the text alternative comes first
    assert "style" not in drawing  # the site's CSP forbids inline styles
    assert drawing.startswith(
        '<svg xmlns="http://www.w3.org/2000/svg" width="196" height="196" role="img"><title>'
    )


def test_the_quiet_zone_is_blank_and_the_finders_are_drawn() -> None:
    grid = modules(qr_code_svg(URI, "Code QR"))
    side = grid.shape[0]
    assert not grid[:4].any() and not grid[-4:].any()
    assert not grid[:, :4].any() and not grid[:, -4:].any()
    finder = ["#######", "#.....#", "#.###.#", "#.###.#", "#.###.#", "#.....#", "#######"]
    for top, left in ((4, 4), (4, side - 11), (side - 11, 4)):
        drawn = [
            "".join("#" if grid[top + y, left + x] else "." for x in range(7)) for y in range(7)
        ]
        assert drawn == finder


def test_the_longest_address_still_fits() -> None:
    # An e-mail address may have 254 characters: the code grows, the decoder still reads it.
    account = "a" * 64 + "@" + ".".join(["b" * 63] * 3)[:189]
    uri = totp.provisioning_uri("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", account, "Guichet")
    assert len(account) == 254
    assert decoded(qr_code_svg(uri, "Code QR")) == [uri]


@pytest.mark.django_db
def test_the_enrolment_page_shows_the_code_of_its_address() -> None:
    person = User.objects.create_user("alex+test@example.org", PASSWORD, full_name="Alex Exemple")
    with time_machine.travel("2026-03-02 09:00:00 -05:00", tick=False):
        client = Client()
        log_in(client, person.email, PASSWORD)
        page = client.get(ENROL).content.decode()
        secret = client.session["guichet_totp_candidate"]
    drawing = re.search(r'<div class="qr">(<svg .*?</svg>)</div>', page, re.DOTALL)
    assert drawing is not None
    expected = totp.provisioning_uri(secret, "alex+test@example.org", "Guichet")
    assert expected.startswith("otpauth://totp/Guichet:alex%2Btest%40example.org?secret=")
    assert decoded(drawing.group(1)) == [expected]
    assert "<title>Code QR de configuration pour Guichet</title>" in drawing.group(1)
