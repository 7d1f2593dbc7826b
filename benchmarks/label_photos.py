"""Synthetic tablet photos of a posted label, for the field benchmark and the photo legibility study.

A monitor photographs evidence such as a fire extinguisher's inspection tag or a posted wage notice:
a 12-megapixel camera frame (4000 x 3000) with the label taking part of it, text at several sizes,
a textured background, uneven light, a little camera blur and sensor noise. Drawn from a seed, so
every run photographs the same scenes. LABEL_LINES is the text on the label, for checking legibility.
"""

import io
import random

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FRAME = (4000, 3000)
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"  # Debian's fonts-dejavu-core, present with Chromium
# (text, height of its capital letters in the 4000 px frame): a title, body lines, the small print.
LABEL_LINES = [
    ("FIRE EXTINGUISHER INSPECTION", 64),
    ("Type ABC dry powder 6 kg", 44),
    ("Inspected 2026-11-02 by Sok Dara", 44),
    ("Pressure OK - seal intact", 44),
    ("Next inspection due 2027-05-02", 34),
    ("Service company licence 0417/KH", 34),
    ("Report faults to safety officer ext 214", 26),
    ("Do not block - keep 1 m clear at all times", 26),
    ("Monthly check: 2026-12-01 OK  2027-01-04 OK", 26),
    ("Batch 7731-B  refill before 2031-10", 20),
    ("Keep upright. Pull pin, aim at base of fire.", 20),
]


def _font(cap_height):
    # DejaVu Sans capitals are about 0.73 of the font size.
    return ImageFont.truetype(FONT, round(cap_height / 0.73))


def _background(draw_random):
    """A woven-fabric-like texture under a light gradient: what a factory wall or machine looks like."""
    small = Image.effect_noise((FRAME[0] // 8, FRAME[1] // 8), 40).filter(ImageFilter.GaussianBlur(1.2))
    texture = small.resize(FRAME, Image.Resampling.BICUBIC)
    fine = Image.effect_noise(FRAME, 50)
    base = Image.blend(texture, fine, 0.55)
    tint = tuple(draw_random.randint(90, 150) for _channel in range(3))
    coloured = Image.merge("RGB", [base.point(lambda value, t=t: int(value * t / 128)) for t in tint])
    light = Image.linear_gradient("L").resize(FRAME).point(lambda value: 150 + value // 3)
    return Image.composite(coloured, Image.new("RGB", FRAME, (20, 20, 20)), light)


def label_scene(seed):
    """One photo as the camera delivers it (RGB image, 4000 x 3000)."""
    draw_random = random.Random(seed)
    frame = _background(draw_random)
    label = Image.new("RGB", (2300, 1300), (246, 244, 236))
    draw = ImageDraw.Draw(label)
    draw.rectangle((0, 0, 2299, 1299), outline=(200, 30, 30), width=18)
    top = 60
    for text, cap_height in LABEL_LINES:
        draw.text((70, top), text, font=_font(cap_height), fill=(25, 25, 30))
        top += round(cap_height * 2.5)
    label = label.rotate(draw_random.uniform(-4, 4), resample=Image.Resampling.BICUBIC, expand=True,
                         fillcolor=(0, 0, 0))  # fmt: skip
    mask = label.convert("L").point(lambda value: 255 if value > 8 else 0)
    left = draw_random.randint(300, FRAME[0] - label.width - 300)
    top = draw_random.randint(250, FRAME[1] - label.height - 250)
    frame.paste(label, (left, top), mask)
    frame = frame.filter(ImageFilter.GaussianBlur(1.4))  # focus and hand shake
    noise = Image.effect_noise(FRAME, 30).convert("RGB")  # sensor noise under factory lighting
    return Image.blend(frame, noise, 0.16)


def label_photo_jpeg(seed, quality=92):
    """The camera's file: JPEG as a tablet stores it."""
    output = io.BytesIO()
    label_scene(seed).save(output, format="JPEG", quality=quality)
    return output.getvalue()
