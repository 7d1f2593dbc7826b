"""Which size and JPEG quality the capture app should shrink evidence photos to, by how legible a label stays.

    .venv/bin/python benchmarks/photo_legibility.py [--scenes 3] [--sides 1024,1280,1600] [--qualities 0.5,0.6,0.7,0.85]

Needs Tesseract (Debian: apt-get install tesseract-ocr). For each synthetic photo of a posted label
(benchmarks/label_photos.py: a 12-megapixel frame, its text from 64 px capitals down to 20 px), headless
Chromium shrinks the camera's file exactly as the capture app does (createImageBitmap, a canvas of the
longest side, canvas.toBlob as JPEG at the quality), for every size and quality. Each result is enlarged
back to the frame's size (as a monitor zooms in to read it) and read by Tesseract; a label line counts as
legible when its best match among the lines read is at least 90% the same text. The table gives, per size
and quality, the median bytes and how many lines of each text size were legible, with the camera's own
file as the reference. The capture app takes the smallest file that reads as well as the reference.
"""

import argparse
import base64
import difflib
import io
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from label_photos import FRAME, LABEL_LINES, label_photo_jpeg

CHROMIUM = "/usr/bin/chromium"
MATCH = 0.9
# The capture app's resize(), run in the page on the camera's file.
SHRINK = """async ([data, side, quality]) => {
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    const file = new Blob([bytes], { type: "image/jpeg" });
    const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
    const scale = Math.min(1, side / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
    const buffer = new Uint8Array(await blob.arrayBuffer());
    let text = "";
    for (let start = 0; start < buffer.length; start += 0x8000) {
        text += String.fromCharCode(...buffer.subarray(start, start + 0x8000));
    }
    return btoa(text);
}"""


def read_lines(jpeg, work):
    """The text lines Tesseract reads in the photo, enlarged back to the camera's frame."""
    image = Image.open(io.BytesIO(jpeg)).convert("L").resize(FRAME, Image.Resampling.LANCZOS)
    path = work / "photo.png"
    image.save(path)
    output = subprocess.run(["tesseract", str(path), "-", "--psm", "3"], capture_output=True, text=True, check=True)
    return [" ".join(line.split()) for line in output.stdout.splitlines() if line.strip()]


def legible(read):
    """{capital height: lines legible} for the label's lines."""
    counts = {}
    for text, cap_height in LABEL_LINES:
        text = " ".join(text.split())
        best = max((difflib.SequenceMatcher(None, text, line).ratio() for line in read), default=0)
        counts[cap_height] = counts.get(cap_height, 0) + (best >= MATCH)
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", type=int, default=3)
    parser.add_argument("--sides", default="1024,1280,1600")
    parser.add_argument("--qualities", default="0.5,0.6,0.7,0.85")
    args = parser.parse_args()
    if not shutil.which("tesseract"):
        sys.exit("Tesseract is needed: apt-get install tesseract-ocr")
    from playwright.sync_api import sync_playwright

    candidates = [("camera file", None, None)] + [
        (f"{side} px, quality {quality}", int(side), float(quality))
        for side in args.sides.split(",")
        for quality in args.qualities.split(",")
    ]
    rows = {label: {"bytes": [], "legible": {}} for label, _side, _quality in candidates}
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        work = Path(folder)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.set_content("<!DOCTYPE html><title>shrink</title>")
        for scene in range(args.scenes):
            camera = label_photo_jpeg(scene)
            encoded = base64.b64encode(camera).decode()
            for label, side, quality in candidates:
                jpeg = camera if side is None else base64.b64decode(page.evaluate(SHRINK, [encoded, side, quality]))
                row = rows[label]
                row["bytes"].append(len(jpeg))
                for cap_height, count in legible(read_lines(jpeg, work)).items():
                    row["legible"][cap_height] = row["legible"].get(cap_height, 0) + count
                print(f"scene {scene}: {label}", file=sys.stderr, flush=True)
        browser.close()
    heights = sorted({cap_height for _text, cap_height in LABEL_LINES}, reverse=True)
    totals = {h: args.scenes * sum(1 for _text, cap_height in LABEL_LINES if cap_height == h) for h in heights}
    print(f"\nlines legible per capital height (px in the 4000 px frame), of {args.scenes} scenes")
    print(f"{'':24} {'KiB':>6}  " + "  ".join(f"{h:>5}" for h in heights) + "    all")
    for label, row in rows.items():
        counts = [row["legible"].get(h, 0) for h in heights]
        cells = "  ".join(f"{count:>2}/{totals[h]:<2}" for count, h in zip(counts, heights, strict=True))
        kib = statistics.median(row["bytes"]) / 1024
        print(f"{label:24} {kib:6.0f}  {cells}  {sum(counts):>2}/{sum(totals.values())}")


if __name__ == "__main__":
    main()
