"""Test images built in the test (no binary fixtures): photos with GPS, orientation and XMP, and hostile files."""

from __future__ import annotations

import io
import struct
import zlib

import pillow_heif
from PIL import ExifTags, Image

pillow_heif.register_heif_opener()

XMP_GPS = "51,30.0N"
XMP = (
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    f'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="{XMP_GPS}"/>'
    "</rdf:RDF></x:xmpmeta>"
).encode()
MAKE = "TestCam"


def exif_with_gps(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = MAKE
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps.update({1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 30.0)})
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "2026:11:02 10:30:00"
    return exif


def jpeg_red_left(orientation: int = 6) -> bytes:
    """40x20, left half red, right half blue, with EXIF orientation, GPS, Make and an XMP packet (W17)."""
    image = Image.new("RGB", (40, 20), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 20, 20))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95, exif=exif_with_gps(orientation).tobytes(), xmp=XMP)
    return out.getvalue()


def heic_with_gps(size: tuple[int, int] = (64, 32), orientation: int = 6) -> bytes:
    image = Image.new("RGB", size, (0, 128, 0))
    out = io.BytesIO()
    image.save(out, "HEIF", exif=exif_with_gps(orientation).tobytes(), xmp=XMP)
    return out.getvalue()


def jpeg(size: tuple[int, int] = (64, 48), colour: tuple[int, int, int] = (200, 100, 50), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, colour if mode == "RGB" else 128).save(out, "JPEG", quality=80)
    return out.getvalue()


def png_bomb(side: int = 30_000) -> bytes:
    """A PNG that declares side x side pixels in a few kilobytes (a decompression bomb): only the header matters."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1_000_000, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def truncated_jpeg() -> bytes:
    whole = io.BytesIO()
    Image.effect_noise((400, 300), 64).convert("RGB").save(whole, "JPEG", quality=90)
    data = whole.getvalue()
    return data[: len(data) // 2]


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'


def gif() -> bytes:
    out = io.BytesIO()
    Image.new("P", (8, 8)).save(out, "GIF")
    return out.getvalue()


def webp() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "WEBP")
    return out.getvalue()


def metadata_of(data: bytes) -> dict[str, object]:
    """What a stored JPEG still carries: EXIF tags, GPS IFD, XMP, ICC profile."""
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        return {
            "format": image.format,
            "exif_tags": len(exif),
            "gps": dict(exif.get_ifd(ExifTags.IFD.GPSInfo)),
            "xmp": image.info.get("xmp"),
            "icc": image.info.get("icc_profile"),
            "size": image.size,
        }
