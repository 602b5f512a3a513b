"""Benchmark the photo pipeline (photos.processing.process) on 12-megapixel phone-sized photos.

Run: ``.venv/bin/python bench/photos.py`` (options: ``--repeat N``).

The target (issue 14, docs/PERFORMANCE.md): a 12 MP JPEG and a 12 MP HEIC are each processed in at most 1.5 s
(median) on one core. The process is pinned to one CPU (``os.sched_setaffinity``) and libheif is told to decode
with one thread, so no second core helps.

Inputs are made here, once: 4032 x 3024 (an iPhone's 12 MP), a smooth gradient with mild noise on top so the
encoders cannot compress them to nothing (sizes are printed beside the figures), with EXIF orientation 6
and a GPS block, so the transpose and metadata paths run. The HEIC is encoded by pillow-heif at quality 80.

Side by side, the named baseline **decode + save**: Pillow opens the same file, decodes it and saves it as JPEG
at full size with nothing else (no checks, no transpose, no colour, no resize, no thumbnail): the floor of any
pipeline that re-encodes. Runs are interleaved after one warm-up each, ``gc.collect()`` before every run; each
figure is the median over ``--repeat`` runs. The clock is this process's CPU time by default (steadier on a
shared, loaded machine; with one pinned core and one decoder thread it is the single-core cost); ``--clock wall``
reports wall time instead.
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(BENCH_DIR.parent))

import pillow_heif  # noqa: E402
from PIL import ExifTags, Image  # noqa: E402

from photos import processing  # noqa: E402

SIZE = (4032, 3024)
LIMITS = processing.Limits(max_bytes=20 * 2**20, max_pixels=50_000_000)


def _source() -> Image.Image:
    gradient = Image.linear_gradient("L").resize(SIZE)
    noise = Image.effect_noise(SIZE, 4)
    return Image.merge("RGB", (gradient, noise, Image.blend(gradient, noise, 0.5)))


def _exif() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif.get_ifd(ExifTags.IFD.GPSInfo).update({1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 30.0)})
    return exif.tobytes()


def _encode(image: Image.Image, fmt: str, **kwargs: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, exif=_exif(), **kwargs)
    return out.getvalue()


def pipeline(data: bytes) -> None:
    processing.process(io.BytesIO(data), size=len(data), limits=LIMITS)


def baseline(data: bytes) -> None:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        image.convert("RGB").save(io.BytesIO(), "JPEG", quality=85)


def median_seconds(run: Callable[[bytes], None], data: bytes, repeat: int, clock: Callable[[], float]) -> float:
    run(data)  # warm-up
    times = []
    for _ in range(repeat):
        gc.collect()
        start = clock()
        run(data)
        times.append(clock() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--clock", choices=["cpu", "wall"], default="cpu")
    args = parser.parse_args()
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    source = _source()
    inputs = {
        "JPEG 12 MP": _encode(source, "JPEG", quality=92),
        "HEIC 12 MP": _encode(source, "HEIF", quality=80),
    }  # built before pinning: encoding the HEIC is setup, not measured
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    pillow_heif.options.DECODE_THREADS = 1
    print(f"one core (CPU {sorted(os.sched_getaffinity(0))}), {args.clock} clock, load {os.getloadavg()[0]:.1f}")
    print(f"{'input':<12} {'size':>9} {'pipeline':>10} {'decode+save':>12}")
    for name, data in inputs.items():
        ours = median_seconds(pipeline, data, args.repeat, clock)
        floor = median_seconds(baseline, data, args.repeat, clock)
        print(f"{name:<12} {len(data) / 2**20:>7.1f}MB {ours * 1000:>8.0f}ms {floor * 1000:>10.0f}ms")


if __name__ == "__main__":
    main()
