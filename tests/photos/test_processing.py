"""The pure pipeline (photos/processing.py): properties over generated images, colour, transparency (W17, W40)."""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageCms

from photos import processing
from tests.photos import images

LIMITS = processing.Limits(max_bytes=20 * 2**20, max_pixels=50_000_000, display_edge=64, thumb_edge=16)


def _encode(image: Image.Image, fmt: str, **kwargs) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **kwargs)
    return out.getvalue()


WRITABLE = {"JPEG": ("RGB", "L", "CMYK"), "PNG": ("RGB", "RGBA", "L", "LA", "P", "1", "I;16")}


# HEIC is left to the upload tests (W18, W40): encoding one costs the x265 encoder's start-up each time.
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    width=st.integers(1, 120),
    height=st.integers(1, 120),
    mode=st.sampled_from(["RGB", "RGBA", "L", "LA", "P", "1", "I;16", "CMYK"]),
    fmt=st.sampled_from(["JPEG", "PNG"]),
    orientation=st.integers(1, 8),
)
def test_W17_any_accepted_image_comes_out_as_a_bare_rgb_jpeg_within_the_edges(width, height, mode, fmt, orientation):
    source = Image.new(mode, (width, height))
    if mode not in WRITABLE[fmt]:
        source = source.convert("RGB")
    data = _encode(source, fmt, exif=images.exif_with_gps(orientation).tobytes())
    result = processing.process(io.BytesIO(data), size=len(data), limits=LIMITS)
    for jpeg, edge in ((result.display, 64), (result.thumb, 16)):
        meta = images.metadata_of(jpeg)
        assert meta["format"] == "JPEG" and meta["exif_tags"] == 0 and meta["gps"] == {}
        assert meta["xmp"] is None and meta["icc"] is None
        assert max(meta["size"]) <= edge and min(meta["size"]) >= 1
        assert Image.open(io.BytesIO(jpeg)).mode == "RGB"
    turned = orientation >= 5
    expected = (height, width) if turned else (width, height)
    if max(expected) <= 64:
        assert (result.width, result.height) == expected


def test_W17_a_colour_profile_is_applied_then_dropped(monkeypatch):
    """With an embedded profile the pixels are converted to sRGB through it (Display P3 photos would otherwise
    look washed out), and no profile is written to the output."""
    calls = []
    real = ImageCms.profileToProfile

    def spy(image, source_profile, target_profile, **kwargs):
        calls.append(kwargs.get("outputMode"))
        return real(image, source_profile, target_profile, **kwargs)

    monkeypatch.setattr(ImageCms, "profileToProfile", spy)
    source = Image.new("RGB", (8, 8), (200, 30, 30))
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = _encode(source, "PNG", icc_profile=srgb)
    result = processing.process(io.BytesIO(data), size=len(data), limits=LIMITS)
    assert images.metadata_of(result.display)["icc"] is None
    red, green, _ = Image.open(io.BytesIO(result.display)).getpixel((4, 4))
    assert abs(red - 200) < 12 and green < 60  # sRGB to sRGB keeps the colour
    assert calls == ["RGB"]


def test_W17_transparency_is_flattened_on_white():
    source = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
    data = _encode(source, "PNG")
    result = processing.process(io.BytesIO(data), size=len(data), limits=LIMITS)
    assert Image.open(io.BytesIO(result.display)).getpixel((5, 5)) == (255, 255, 255)


def test_W40_bytes_are_capped_before_anything_is_read():
    class Unreadable(io.BytesIO):
        def read(self, *args):
            raise AssertionError("read despite the byte cap")

    try:
        processing.process(Unreadable(b""), size=LIMITS.max_bytes + 1, limits=LIMITS)
    except processing.PhotoRejected as exc:
        assert exc.code == "too_big"
    else:
        raise AssertionError("accepted")


def test_W40_taken_at_survives_a_broken_exif_date():
    exif = Image.Exif()
    exif.get_ifd(0x8769)[36867] = "not a date"
    data = _encode(Image.new("RGB", (4, 4)), "JPEG", exif=exif.tobytes())
    assert processing.process(io.BytesIO(data), size=len(data), limits=LIMITS).taken_at is None
