"""Uploaded images: check what a user sends and keep only a clean re-encoded copy (receipt photos today; later
photo uploads reuse the same checks). Rules: docs/specs/security.md (SU1-SU6).
"""

from __future__ import annotations

import io
import warnings

from django import forms
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError

RECEIPT_TOO_BIG_MSG = "The receipt photo is larger than %(limit)s MB. Take a smaller photo or crop it."
RECEIPT_NOT_IMAGE_MSG = "Upload a photo of the receipt as a JPEG or PNG image."
RECEIPT_TOO_MANY_PIXELS_MSG = "The receipt image is too large (%(pixels)s megapixels); the limit is %(limit)s."
RECEIPT_FORMATS = {"JPEG", "PNG"}  # docs/specs/security.md SU5: an allowlist; SVG, HTML, GIF, PDF... are refused
RECEIPT_MAX_PIXELS = 40_000_000  # a 48 MP phone photo is refused; receipts need far less (SU3)
RECEIPT_MAX_SIDE = 3000  # stored receipts are scaled down to this (pixels, longest side)


def receipt_to_jpeg(upload: UploadedFile) -> ContentFile[bytes]:
    """Check an uploaded receipt and re-encode it as a clean JPEG (docs/specs/security.md SU1-SU6).

    Refuses files over RECEIPT_MAX_BYTES (SU1), anything Pillow does not recognise as a JPEG or PNG, whatever its
    name (SU2, SU5), and images over RECEIPT_MAX_PIXELS before decoding them (SU3, a decompression bomb). The
    pixels are re-encoded: the EXIF block (GPS included) is dropped after the orientation is applied (SU6); the
    stored name is chosen by the model's upload_to, never the uploader's (SU4).
    """
    limit = settings.RECEIPT_MAX_BYTES
    if (upload.size or 0) > limit:
        raise forms.ValidationError(RECEIPT_TOO_BIG_MSG, code="too_big", params={"limit": limit // 2**20})
    upload.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(upload) as probe:
                _check_image_header(probe)
                probe.verify()  # structure and checksums, without decoding the pixels
            upload.seek(0)
            with Image.open(upload) as image:
                _check_image_header(image)
                image.load()
                clean = _normalized(image)
        except forms.ValidationError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise forms.ValidationError(
                RECEIPT_TOO_MANY_PIXELS_MSG, code="too_many_pixels",
                params={"pixels": "over 89", "limit": RECEIPT_MAX_PIXELS // 1_000_000},
            ) from None  # fmt: skip
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            raise forms.ValidationError(RECEIPT_NOT_IMAGE_MSG, code="not_image") from None
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=85, optimize=True)  # no exif= argument: no EXIF is written
    return ContentFile(out.getvalue(), name="receipt.jpg")


def _check_image_header(image: Image.Image) -> None:
    if image.format not in RECEIPT_FORMATS:
        raise forms.ValidationError(RECEIPT_NOT_IMAGE_MSG, code="not_image")
    width, height = image.size
    if width * height > RECEIPT_MAX_PIXELS:
        raise forms.ValidationError(
            RECEIPT_TOO_MANY_PIXELS_MSG, code="too_many_pixels",
            params={"pixels": f"{width * height / 1_000_000:.0f}", "limit": RECEIPT_MAX_PIXELS // 1_000_000},
        )  # fmt: skip


def _normalized(image: Image.Image) -> Image.Image:
    """Upright, RGB (transparency on white), at most RECEIPT_MAX_SIDE pixels on the longest side."""
    upright = ImageOps.exif_transpose(image) or image
    if upright.mode in ("RGBA", "LA") or (upright.mode == "P" and "transparency" in upright.info):
        rgba = upright.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        upright = flat
    elif upright.mode != "RGB":
        upright = upright.convert("RGB")
    upright.thumbnail((RECEIPT_MAX_SIDE, RECEIPT_MAX_SIDE))
    return upright
