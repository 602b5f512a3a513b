"""Turn an uploaded photo into clean JPEGs (docs/specs/portal.md §5). PURE: Pillow and pillow-heif only, no
Django, so it runs the same in the view, the bench and the property tests.

What comes in is untrusted: only the JPEG, PNG and HEIF decoders may run (whatever the name or content type
says), the byte size and the pixel count (read from the header, before any decoding) are capped, and decoding
errors are refusals. What goes out is re-encoded pixels only: upright, 8-bit sRGB on white, resized, saved as
JPEG with no EXIF, XMP or ICC profile, so no GPS position or camera serial survives.
"""

from __future__ import annotations

import io
import threading
import warnings
from dataclasses import dataclass
from datetime import datetime
from typing import IO

import pillow_heif
from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

pillow_heif.register_heif_opener()

DECODERS = ["JPEG", "PNG", "HEIF"]
EXIF_IFD = 0x8769
DATETIME_ORIGINAL = 36867

NOT_IMAGE_MSG = "Upload a photo as a JPEG, PNG or HEIC image."
TOO_BIG_MSG = "The photo is larger than {limit} MB. Take a smaller photo or crop it."
TOO_MANY_PIXELS_MSG = "The photo has too many pixels; the limit is {limit} megapixels."
DAMAGED_MSG = "The photo could not be read (the file is damaged or incomplete)."


class PhotoRejected(Exception):
    """A refusal the user can act on: `code` for tests and logs, `message` for the form."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_pixels: int
    display_edge: int = 2560
    thumb_edge: int = 480
    display_quality: int = 85
    thumb_quality: int = 80


@dataclass(frozen=True)
class Processed:
    display: bytes
    thumb: bytes
    width: int
    height: int
    source_format: str
    taken_at: datetime | None  # the camera's wall time (EXIF has no zone): the caller places it in a zone


def process(stream: IO[bytes], *, size: int, limits: Limits) -> Processed:
    """Check and re-encode one upload; raises PhotoRejected. `size` is the upload's byte count."""
    if size > limits.max_bytes:
        raise PhotoRejected("too_big", TOO_BIG_MSG.format(limit=limits.max_bytes // 2**20))
    stream.seek(0)
    with warnings.catch_warnings():
        # Pillow only warns between 1x and 2x its own bomb limit: make that a refusal too.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(stream, formats=DECODERS) as image:
                width, height = image.size  # from the header: nothing decoded yet
                if width * height > limits.max_pixels:
                    raise PhotoRejected("too_many_pixels", _too_many(limits))
                source_format = str(image.format)
                taken_at = _taken_at(image)
                _load_strict(image)
                upright = ImageOps.exif_transpose(image) or image  # HEIC arrives upright: nothing to do
                clean = _srgb_on_white(upright)
        except PhotoRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PhotoRejected("too_many_pixels", _too_many(limits)) from None
        except UnidentifiedImageError:
            raise PhotoRejected("not_image", NOT_IMAGE_MSG) from None
        except (OSError, SyntaxError, ValueError, EOFError):
            raise PhotoRejected("damaged", DAMAGED_MSG) from None
    display = _fit(clean, limits.display_edge)
    thumb = _fit(display, limits.thumb_edge)
    return Processed(
        display=_jpeg(display, limits.display_quality),
        thumb=_jpeg(thumb, limits.thumb_quality),
        width=display.width,
        height=display.height,
        source_format=source_format,
        taken_at=taken_at,
    )


_STRICT = threading.Lock()


def _load_strict(image: Image.Image) -> None:
    """Decode with truncated files refused. WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES to True
    when imported (it renders partial images); a half-uploaded photo must be a refusal here, not grey pixels, so
    the flag is False for the duration of this decode (a lock keeps two uploads from restoring it out of order)."""
    with _STRICT:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            image.load()
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _too_many(limits: Limits) -> str:
    return TOO_MANY_PIXELS_MSG.format(limit=f"{limits.max_pixels / 1_000_000:g}")


def _taken_at(image: Image.Image) -> datetime | None:
    """EXIF DateTimeOriginal, read before the metadata is dropped; None when absent or malformed."""
    try:
        raw = image.getexif().get_ifd(EXIF_IFD).get(DATETIME_ORIGINAL)
    except Exception:  # a broken EXIF block only costs the date, never the upload
        return None
    if not isinstance(raw, str):
        return None
    try:
        return datetime.strptime(raw.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")  # noqa: DTZ007 (naive on purpose)
    except ValueError:
        return None


def _srgb_on_white(image: Image.Image) -> Image.Image:
    """8-bit RGB in sRGB, transparency flattened onto white. A wide-gamut (Display P3) photo is converted with
    its ICC profile first: dropping the profile without converting would wash the colours out."""
    icc = image.info.get("icc_profile")
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    if icc and image.mode in ("RGB", "CMYK", "L"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode="RGB")
            if converted is not None:
                image = converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # an unreadable profile: keep the pixels as they are rather than refuse the photo
    if image.mode != "RGB":
        image = image.convert("RGB")
    return image


def _fit(image: Image.Image, edge: int) -> Image.Image:
    fitted = image.copy()
    fitted.thumbnail((edge, edge), Image.Resampling.LANCZOS)
    return fitted


def _jpeg(image: Image.Image, quality: int) -> bytes:
    image.info = {}  # nothing carried over from the source (EXIF, XMP, ICC) can reach save()
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality, optimize=True)
    return out.getvalue()
