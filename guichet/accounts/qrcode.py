"""A QR code (ISO/IEC 18004), drawn as SVG on the server, with no dependency.

Just enough for the enrolment page: byte mode, error correction level M, versions 1 to 10
(up to 213 bytes; an `otpauth://` address is about 120). The algorithm follows the standard
in the order of Project Nayuki's reference implementation: data bits, Reed–Solomon error
correction per block, interleaving, function patterns, zig-zag placement, the mask with the
lowest penalty, format and version information. The tests compare every module with an
independent encoder for each of the eight masks.
"""

from collections.abc import Callable
from html import escape

MAX_VERSION = 10
# Level M, indexed by version (index 0 unused): error-correction codewords per block, blocks.
_ECC_PER_BLOCK = [0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26]
_BLOCKS = [0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5]
_FORMAT_LEVEL_M = 0b00

_MASKS: list[Callable[[int, int], bool]] = [
    lambda x, y: (x + y) % 2 == 0,
    lambda x, y: y % 2 == 0,
    lambda x, y: x % 3 == 0,
    lambda x, y: (x + y) % 3 == 0,
    lambda x, y: (x // 3 + y // 2) % 2 == 0,
    lambda x, y: x * y % 2 + x * y % 3 == 0,
    lambda x, y: (x * y % 2 + x * y % 3) % 2 == 0,
    lambda x, y: ((x + y) % 2 + x * y % 3) % 2 == 0,
]


def _bit(value: int, index: int) -> bool:
    return (value >> index) & 1 != 0


def _raw_modules(version: int) -> int:
    """Modules left for data and error correction once the function patterns are drawn."""
    result = (16 * version + 128) * version + 64
    if version >= 2:
        count = version // 7 + 2
        result -= (25 * count - 10) * count - 55
        if version >= 7:
            result -= 36
    return result


def _data_codewords(version: int) -> int:
    return _raw_modules(version) // 8 - _ECC_PER_BLOCK[version] * _BLOCKS[version]


# --- Reed–Solomon over GF(2^8), polynomial x^8 + x^4 + x^3 + x^2 + 1 --------------------


def _gf_multiply(x: int, y: int) -> int:
    z = 0
    for i in reversed(range(8)):
        z = (z << 1) ^ ((z >> 7) * 0x11D)
        z ^= ((y >> i) & 1) * x
    return z


def _rs_divisor(degree: int) -> list[int]:
    result = [0] * (degree - 1) + [1]
    root = 1
    for _ in range(degree):
        for j in range(degree):
            result[j] = _gf_multiply(result[j], root)
            if j + 1 < degree:
                result[j] ^= result[j + 1]
        root = _gf_multiply(root, 0x02)
    return result


def _rs_remainder(data: list[int], divisor: list[int]) -> list[int]:
    result = [0] * len(divisor)
    for byte in data:
        factor = byte ^ result.pop(0)
        result.append(0)
        for i, coefficient in enumerate(divisor):
            result[i] ^= _gf_multiply(coefficient, factor)
    return result


# --- Codewords --------------------------------------------------------------------------


def _version_for(length: int) -> int:
    for version in range(1, MAX_VERSION + 1):
        count_bits = 8 if version < 10 else 16
        if 4 + count_bits + 8 * length <= _data_codewords(version) * 8:
            return version
    raise ValueError("trop de données pour un code QR de version 10")


def _data_bits(data: bytes, version: int) -> list[int]:
    bits: list[int] = []

    def append(value: int, length: int) -> None:
        bits.extend((value >> i) & 1 for i in reversed(range(length)))

    append(0b0100, 4)  # byte mode
    append(len(data), 8 if version < 10 else 16)
    for byte in data:
        append(byte, 8)
    capacity = _data_codewords(version) * 8
    append(0, min(4, capacity - len(bits)))  # terminator
    append(0, -len(bits) % 8)
    codewords = [int("".join(map(str, bits[i : i + 8])), 2) for i in range(0, len(bits), 8)]
    pad = 0xEC
    while len(codewords) < _data_codewords(version):
        codewords.append(pad)
        pad ^= 0xEC ^ 0x11
    return codewords


def _with_error_correction(data: list[int], version: int) -> list[int]:
    blocks_count = _BLOCKS[version]
    ecc_length = _ECC_PER_BLOCK[version]
    raw = _raw_modules(version) // 8
    short_blocks = blocks_count - raw % blocks_count
    short_length = raw // blocks_count
    divisor = _rs_divisor(ecc_length)
    blocks: list[list[int]] = []
    k = 0
    for i in range(blocks_count):
        length = short_length - ecc_length + (0 if i < short_blocks else 1)
        block = data[k : k + length]
        k += length
        ecc = _rs_remainder(block, divisor)
        if i < short_blocks:
            block = [*block, 0]
        blocks.append(block + ecc)
    result = []
    for i in range(len(blocks[0])):
        for j, block in enumerate(blocks):
            if i != short_length - ecc_length or j >= short_blocks:
                result.append(block[i])
    return result


# --- The matrix -------------------------------------------------------------------------


class _Matrix:
    def __init__(self, version: int) -> None:
        self.version = version
        self.size = version * 4 + 17
        self.dark = [[False] * self.size for _ in range(self.size)]
        self.function = [[False] * self.size for _ in range(self.size)]

    def set_function(self, x: int, y: int, dark: bool) -> None:
        self.dark[y][x] = dark
        self.function[y][x] = True

    def draw_function_patterns(self) -> None:
        size = self.size
        for i in range(size):
            self.set_function(6, i, i % 2 == 0)
            self.set_function(i, 6, i % 2 == 0)
        for x, y in ((3, 3), (size - 4, 3), (3, size - 4)):
            self.draw_finder(x, y)
        positions = self.alignment_positions()
        last = len(positions) - 1
        for i, ay in enumerate(positions):
            for j, ax in enumerate(positions):
                if (i, j) not in ((0, 0), (0, last), (last, 0)):
                    self.draw_alignment(ax, ay)
        self.draw_format(0)
        self.draw_version()

    def draw_finder(self, x: int, y: int) -> None:
        for dy in range(-4, 5):
            for dx in range(-4, 5):
                xx, yy = x + dx, y + dy
                if 0 <= xx < self.size and 0 <= yy < self.size:
                    self.set_function(xx, yy, max(abs(dx), abs(dy)) not in (2, 4))

    def draw_alignment(self, x: int, y: int) -> None:
        for dy in range(-2, 3):
            for dx in range(-2, 3):
                self.set_function(x + dx, y + dy, max(abs(dx), abs(dy)) != 1)

    def alignment_positions(self) -> list[int]:
        if self.version == 1:
            return []
        count = self.version // 7 + 2
        step = (self.version * 8 + count * 3 + 5) // (count * 4 - 4) * 2
        positions = [self.size - 7 - i * step for i in range(count - 1)] + [6]
        return sorted(positions)

    def draw_format(self, mask: int) -> None:
        data = _FORMAT_LEVEL_M << 3 | mask
        remainder = data
        for _ in range(10):
            remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537)
        bits = (data << 10 | remainder) ^ 0x5412
        size = self.size
        for i in range(6):
            self.set_function(8, i, _bit(bits, i))
        self.set_function(8, 7, _bit(bits, 6))
        self.set_function(8, 8, _bit(bits, 7))
        self.set_function(7, 8, _bit(bits, 8))
        for i in range(9, 15):
            self.set_function(14 - i, 8, _bit(bits, i))
        for i in range(8):
            self.set_function(size - 1 - i, 8, _bit(bits, i))
        for i in range(8, 15):
            self.set_function(8, size - 15 + i, _bit(bits, i))
        self.set_function(8, size - 8, True)  # the dark module

    def draw_version(self) -> None:
        if self.version < 7:
            return
        remainder = self.version
        for _ in range(12):
            remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25)
        bits = self.version << 12 | remainder
        for i in range(18):
            a, b = self.size - 11 + i % 3, i // 3
            self.set_function(a, b, _bit(bits, i))
            self.set_function(b, a, _bit(bits, i))

    def draw_codewords(self, codewords: list[int]) -> None:
        i = 0
        total = len(codewords) * 8
        right = self.size - 1
        while right >= 1:
            if right == 6:
                right = 5
            for vertical in range(self.size):
                for j in range(2):
                    x = right - j
                    upward = (right + 1) & 2 == 0
                    y = self.size - 1 - vertical if upward else vertical
                    if not self.function[y][x] and i < total:
                        self.dark[y][x] = _bit(codewords[i >> 3], 7 - (i & 7))
                        i += 1
            right -= 2

    def apply_mask(self, mask: int) -> None:
        test = _MASKS[mask]
        for y in range(self.size):
            for x in range(self.size):
                if not self.function[y][x] and test(x, y):
                    self.dark[y][x] = not self.dark[y][x]

    def penalty(self) -> int:
        """The standard's penalty: long runs, 2×2 blocks, finder-like patterns, imbalance."""
        size, dark = self.size, self.dark
        score = 0
        lines = [list(row) for row in dark] + [
            [dark[y][x] for y in range(size)] for x in range(size)
        ]
        finder = [True, False, True, True, True, False, True]
        for line in lines:
            run, previous = 0, None
            for module in line:
                if module == previous:
                    run += 1
                else:
                    if run >= 5:
                        score += run - 2
                    run, previous = 1, module
            if run >= 5:
                score += run - 2
            padded = [False] * 4 + line + [False] * 4
            for i in range(len(padded) - 6):
                if padded[i : i + 7] == finder and (
                    not any(padded[max(0, i - 4) : i])
                    and i >= 4
                    or not any(padded[i + 7 : i + 11])
                    and i + 11 <= len(padded)
                ):
                    score += 40
        for y in range(size - 1):
            for x in range(size - 1):
                if dark[y][x] == dark[y][x + 1] == dark[y + 1][x] == dark[y + 1][x + 1]:
                    score += 3
        total = sum(map(sum, dark))
        score += abs(total * 20 - size * size * 10) // (size * size) * 10
        return score


def matrix(data: bytes, mask: int | None = None) -> list[list[bool]]:
    """The modules of the QR code of `data`, row by row (True is dark), without quiet zone.
    With no `mask`, the one with the lowest penalty is chosen."""
    version = _version_for(len(data))
    codewords = _with_error_correction(_data_bits(data, version), version)
    candidates = range(8) if mask is None else [mask]
    best: _Matrix | None = None
    best_score = 0
    for candidate in candidates:
        qr = _Matrix(version)
        qr.draw_function_patterns()
        qr.draw_codewords(codewords)
        qr.apply_mask(candidate)
        qr.draw_format(candidate)
        score = qr.penalty() if mask is None else 0
        if best is None or score < best_score:
            best, best_score = qr, score
    assert best is not None  # noqa: S101 (at least one candidate)
    return best.dark


def svg(text: str, title: str, module_px: int = 4) -> str:
    """The QR code of `text` as an accessible SVG image (`title` is its text alternative),
    with the four-module quiet zone the standard asks for."""
    modules = matrix(text.encode("utf-8"))
    border = 4
    side = len(modules) + 2 * border
    path = []
    for y, row in enumerate(modules):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                path.append(f"M{start + border} {y + border}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    pixels = side * module_px
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" '
        f'width="{pixels}" height="{pixels}" role="img" shape-rendering="crispEdges">'
        f"<title>{escape(title)}</title>"
        f'<rect width="{side}" height="{side}" fill="#fff"/>'
        f'<path d="{"".join(path)}" fill="#000"/></svg>'
    )
