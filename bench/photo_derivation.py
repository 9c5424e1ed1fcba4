"""Benchmark: photo derivation (web 1600 px + 320 px thumbnail, upright, no EXIF) with the
JPEG decoder's reduced-size decoding (`Image.draft`) against full decoding, same run.

Photos: `../shared/data/photos/mobile/HMD_Nokia_8.3_5G.jpg` (4608x1976, 9.1 MP) and a
12 MP JPEG (4032x3024) made at start from `hdr/iphone_hdr_NO.jpg` (upscaled, quality 92,
its EXIF kept), written to a temporary directory outside the repository.

For each photo the two modes alternate (reduced, full, reduced, ...) for `--rounds`
rounds after one warm-up each, calling the same function the media job calls
(`backend.domain.images.derive`). Printed: median and p90 ms per photo in each mode and the
ratio full / reduced. The machine is shared: only the ratio within one run means much.

Run from the project root: .venv/bin/python bench/photo_derivation.py [--rounds 15] [--json]
"""
import argparse
import io
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "photos"
MAX_PIXELS = 60_000_000


def twelve_megapixels(folder: Path) -> Path:
    from PIL import Image
    source = Image.open(SHARED / "hdr" / "iphone_hdr_NO.jpg")
    exif = source.info.get("exif", b"")
    big = source.resize((4032, 3024), Image.Resampling.BICUBIC)
    path = folder / "12mp.jpg"
    big.save(path, "JPEG", quality=92, exif=exif)
    return path


def main():
    from backend.domain.images import derive

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        photos = [SHARED / "mobile" / "HMD_Nokia_8.3_5G.jpg", twelve_megapixels(Path(tmp))]
        report = []
        for path in photos:
            data = path.read_bytes()
            timings = {True: [], False: []}
            for reduced in (True, False):
                derive(data, MAX_PIXELS, reduced=reduced)  # warm-up
            for _ in range(args.rounds):
                for reduced in (True, False):
                    start = time.perf_counter()
                    result = derive(data, MAX_PIXELS, reduced=reduced)
                    timings[reduced].append((time.perf_counter() - start) * 1000)
            from PIL import Image
            size = Image.open(path).size
            web = Image.open(io.BytesIO(result.web)).size
            row = {"photo": path.name if path.parent.name != Path(tmp).name else "12 MP JPEG (4032x3024, generated)",
                   "pixels": f"{size[0]}x{size[1]}", "bytes": len(data), "web": f"{web[0]}x{web[1]}",
                   "rounds": args.rounds}
            for reduced, name in ((True, "reduced"), (False, "full")):
                ms = sorted(timings[reduced])
                row[f"{name}_median_ms"] = round(statistics.median(ms), 1)
                row[f"{name}_p90_ms"] = round(ms[int(0.9 * (len(ms) - 1))], 1)
            row["ratio_full_over_reduced"] = round(row["full_median_ms"] / row["reduced_median_ms"], 2)
            report.append(row)
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{'photo':<36} {'pixels':>10} {'reduced ms':>11} {'full ms':>9} {'full/reduced':>13}")
    for r in report:
        print(f"{r['photo']:<36} {r['pixels']:>10} {r['reduced_median_ms']:>11} {r['full_median_ms']:>9} "
              f"{r['ratio_full_over_reduced']:>13}")
    print(f"(medians of {args.rounds} alternating rounds; p90 reduced/full: "
          + ", ".join(f"{r['reduced_p90_ms']}/{r['full_p90_ms']}" for r in report) + ")")


if __name__ == "__main__":
    main()
