"""Hostile image files, crafted at test time (never committed): truncations, bad tables and
checksums, decompression bombs per format, degenerate sizes, odd channel layouts and depths.

Each case is (file name, bytes, expectation); an expectation is "ok" (must be restored) or the
words its error message must contain (lower case)."""

import io
import struct
import zlib

import numpy as np
from PIL import Image


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_claiming(width, height, colour_type=2):
    """A PNG whose header declares width x height over a tiny IDAT: a decompression bomb's header."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 1024)) + chunk(b"IEND", b"")


def png_bomb(width, height):
    """A real PNG of width x height zeros (rows compress to almost nothing)."""
    row = b"\0" + b"\0" * width  # filter byte + gray pixels
    z = zlib.compressobj(9)
    data = b"".join(z.compress(row) for _ in range(height)) + z.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def tiff_claiming(width, height):
    """A little-endian TIFF whose first directory declares width x height (8-bit gray, no data)."""
    entries = [(256, 4, 1, width), (257, 4, 1, height), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1),
               (273, 4, 1, 8), (277, 3, 1, 1), (278, 4, 1, height), (279, 4, 1, 16)]
    ifd = struct.pack("<H", len(entries)) + b"".join(struct.pack("<HHII", *e) for e in entries) + b"\0\0\0\0"
    return b"II*\0" + struct.pack("<I", 8 + 16) + b"\0" * 16 + ifd


def bmp_claiming(width, height):
    header = struct.pack("<2sIHHI", b"BM", 54 + 16, 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, 16, 2835, 2835, 0, 0)
    return header + info + b"\0" * 16


def gif_claiming(width, height):
    return b"GIF89a" + struct.pack("<HHBBB", width, height, 0, 0, 0) + b",\0\0\0\0" + struct.pack("<HH", width, height) + b"\0\x02\x02\x44\x01\0;"


def encoded(array, fmt, **options):
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format=fmt, **options)
    return buffer.getvalue()


def face_array(face_png):
    return np.asarray(Image.open(face_png).convert("RGB"))


def jpeg_segment_offset(data, marker):
    """Offset of the first marker segment `marker` (e.g. 0xDB for DQT) in a JPEG."""
    i = 2
    while i + 4 <= len(data):
        assert data[i] == 0xFF
        if data[i + 1] == marker:
            return i
        i += 2 + struct.unpack(">H", data[i + 2:i + 4])[0]
    raise ValueError("marker not found")


def cases(face_png):
    """Every crafted file: (name, bytes, expectation)."""
    rgb = face_array(face_png)
    png = encoded(rgb, "PNG")
    jpg = encoded(rgb, "JPEG", quality=90)
    webp = encoded(rgb, "WEBP", quality=90)
    tif = encoded(rgb, "TIFF")
    bmp = encoded(rgb, "BMP")
    out = []
    # Truncations at many offsets of each format: never a crash, never a success with a partial
    # image for the formats whose end is checked.
    for fmt, data in (("png", png), ("jpg", jpg), ("webp", webp), ("tif", tif), ("bmp", bmp)):
        for k, cut in enumerate(sorted({1, 2, 8, 16, 30, 60, len(data) // 4, len(data) // 2, len(data) - 20, len(data) - 1})):
            expectation = "truncated" if fmt == "jpg" and cut > 1000 else "decode"
            out.append((f"cut-{fmt}-{k}.{fmt}", data[:cut], expectation))
    # Bad checksum, bad tables.
    bad_crc = bytearray(png)
    bad_crc[29] ^= 0xFF  # inside the IHDR's CRC
    out.append(("bad-crc.png", bytes(bad_crc), "decode"))
    dqt = jpeg_segment_offset(jpg, 0xDB)
    bad_quant = bytearray(jpg)
    bad_quant[dqt + 4] = 0x05  # table id 5: libjpeg allows 0..3
    out.append(("bad-quant-table.jpg", bytes(bad_quant), "corrupt jpeg"))
    bad_length = bytearray(jpg)
    bad_length[dqt + 2:dqt + 4] = b"\xff\xf0"  # a DQT segment running past the end of the file
    out.append(("bad-segment-length.jpg", bytes(bad_length), "corrupt jpeg"))
    dht = jpeg_segment_offset(jpg, 0xC4)
    bad_huffman = bytearray(jpg)
    for k in range(dht + 5, dht + 21):
        bad_huffman[k] = 0xFF  # code counts that overflow the code space
    out.append(("bad-huffman.jpg", bytes(bad_huffman), "corrupt jpeg"))
    # Decompression bombs: each format's header claims 100000 x 100000 (or the largest it can
    # say), refused from the header before any pixel memory is taken.
    out.append(("bomb-header.png", png_claiming(100000, 100000), "100000x100000"))
    out.append(("bomb-real.png", png_bomb(20000, 20000), "20000x20000"))
    out.append(("bomb-tif.tif", tiff_claiming(100000, 100000), "100000x100000"))
    out.append(("bomb-bmp.bmp", bmp_claiming(100000, 100000), "100000x100000"))
    out.append(("bomb-gif.gif", gif_claiming(65535, 65535), "65535x65535"))
    out.append(("bomb-ppm.ppm", b"P6\n100000 100000\n255\n" + b"\0" * 64, "100000x100000"))
    out.append(("bomb-pgm.pgm", b"P5 100000 100000 255\n" + b"\0" * 64, "100000x100000"))
    out.append(("bomb-pam.pam", b"P7\nWIDTH 100000\nHEIGHT 100000\nDEPTH 3\nMAXVAL 255\nTUPLTYPE RGB\nENDHDR\n", "100000x100000"))
    jpeg_bomb = bytearray(jpg)
    sof = jpeg_segment_offset(jpg, 0xC0)
    jpeg_bomb[sof + 5:sof + 9] = struct.pack(">HH", 65000, 65000)
    out.append(("bomb-jpg.jpg", bytes(jpeg_bomb), "65000x65000"))
    # Degenerate sizes.
    out.append(("zero.png", png_claiming(0, 0), "decode"))
    out.append(("wide.png", png_claiming(2**31, 1), "2147483648x1"))
    out.append(("huge.png", png_claiming(0xFFFFFFFF, 0xFFFFFFFF), "4294967295x4294967295"))
    out.append(("one.png", encoded(rgb[:1, :1], "PNG"), "ok"))
    out.append(("empty.png", b"", "empty"))
    out.append(("not-an-image.png", b"hello, this is text\n" * 10, "decode"))
    # Depths and channel layouts that must work: 16-bit, CMYK, gray, gray+alpha, palette.
    sixteen = (rgb[..., 0].astype(np.uint16) * 257)
    out.append(("gray16.png", encoded(sixteen, "PNG"), "ok"))
    out.append(("cmyk.jpg", encoded_mode(rgb, "CMYK", "JPEG"), "ok"))
    out.append(("gray.jpg", encoded_mode(rgb, "L", "JPEG"), "ok"))
    out.append(("gray-alpha.png", encoded_mode(rgb, "LA", "PNG"), "ok"))
    out.append(("palette.png", encoded_mode(rgb, "P", "PNG"), "ok"))
    out.append(("rgba.webp", encoded_mode(rgb, "RGBA", "WEBP"), "ok"))
    out.append(("float.pfm", b"PF\n4 4\n-1.0\n" + b"\0" * (4 * 4 * 3 * 4), "only 8- and 16-bit"))
    return out


def encoded_mode(rgb, mode, fmt):
    buffer = io.BytesIO()
    Image.fromarray(rgb).convert(mode).save(buffer, format=fmt)
    return buffer.getvalue()
