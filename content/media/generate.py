#!/usr/bin/env python3
"""Draw the illustrative "photos" of the Tawasul demo network.

Every image is drawn from simple shapes (no photographs, no text, no faces):
classrooms, workshops, a school with its flag, books, a laptop, a meeting
hall, schoolbags, a playground, a graduation, a map, zellige patterns...

Dev-time tool only: the generated JPEGs are committed next to this script.

    pip install pillow
    python3 content/media/generate.py          # writes content/media/*.jpg

The drawing is deterministic (fixed random seeds), so re-running it gives
the same files.
"""

import math
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

W, H = 1200, 675
OUT = Path(__file__).resolve().parent
QUALITY = 78

SKIN = ["#f1c9a5", "#d9a47a", "#b97d56", "#8d5a3b", "#e6b590", "#a86f4c"]
CLOTHES = ["#2a9d8f", "#e76f51", "#264653", "#f4a261", "#6d597a", "#457b9d",
           "#e9c46a", "#b56576", "#588157", "#3d5a80", "#ee6c4d", "#8ecae6"]
HAIR = ["#2b2118", "#3b2a20", "#1d1a17", "#5a3d2b"]


# ------------------------------------------------------------------ helpers

def hex_rgb(c):
    c = c.lstrip("#")
    return tuple(int(c[i:i + 2], 16) for i in (0, 2, 4))


def vgradient(top, bottom, size=(W, H)):
    """Vertical gradient from `top` to `bottom`."""
    a = Image.new("RGB", size, top)
    b = Image.new("RGB", size, bottom)
    mask = Image.linear_gradient("L").resize(size)
    return Image.composite(b, a, mask)


def hgradient(left, right, size=(W, H)):
    a = Image.new("RGB", size, left)
    b = Image.new("RGB", size, right)
    mask = Image.linear_gradient("L").rotate(90, expand=True).transpose(
        Image.FLIP_LEFT_RIGHT).resize(size)
    return Image.composite(b, a, mask)


def glow(img, center, radius, color, strength=0.55):
    """Soft radial light, e.g. a window or a lamp."""
    cx, cy = center
    size = (radius * 2, radius * 2)
    mask = Image.radial_gradient("L").resize(size)
    mask = mask.point(lambda v: int((255 - v) * strength))
    layer = Image.new("RGB", size, color)
    img.paste(layer, (cx - radius, cy - radius), mask)


def shadow(img, box, radius=18, opacity=90):
    """Blurred ellipse shadow under an object."""
    layer = Image.new("L", img.size, 0)
    ImageDraw.Draw(layer).ellipse(box, fill=opacity)
    layer = layer.filter(ImageFilter.GaussianBlur(radius))
    img.paste(Image.new("RGB", img.size, "#000000"), (0, 0), layer)


def person(d, x, y, scale=1.0, rng=random, back=False, arms_up=False,
           cap=False, body=None):
    """A simple figure standing with feet around (x, y); no face."""
    s = scale
    skin = rng.choice(SKIN)
    cloth = body or rng.choice(CLOTHES)
    # legs
    d.rounded_rectangle([x - 16 * s, y - 70 * s, x - 3 * s, y], 5 * s, fill="#30343f")
    d.rounded_rectangle([x + 3 * s, y - 70 * s, x + 16 * s, y], 5 * s, fill="#30343f")
    # body
    d.rounded_rectangle([x - 26 * s, y - 150 * s, x + 26 * s, y - 62 * s], 18 * s, fill=cloth)
    # arms
    if arms_up:
        d.line([x - 22 * s, y - 135 * s, x - 46 * s, y - 200 * s], fill=cloth, width=int(13 * s))
        d.line([x + 22 * s, y - 135 * s, x + 46 * s, y - 200 * s], fill=cloth, width=int(13 * s))
        d.ellipse([x - 54 * s, y - 212 * s, x - 38 * s, y - 196 * s], fill=skin)
        d.ellipse([x + 38 * s, y - 212 * s, x + 54 * s, y - 196 * s], fill=skin)
    # head
    d.ellipse([x - 19 * s, y - 192 * s, x + 19 * s, y - 154 * s], fill=skin)
    if back:
        d.chord([x - 20 * s, y - 194 * s, x + 20 * s, y - 158 * s], 180, 360,
                fill=rng.choice(HAIR))
        d.ellipse([x - 20 * s, y - 194 * s, x + 20 * s, y - 164 * s], fill=rng.choice(HAIR))
    else:
        d.chord([x - 20 * s, y - 195 * s, x + 20 * s, y - 165 * s], 180, 360,
                fill=rng.choice(HAIR))
    if cap:
        d.polygon([(x - 30 * s, y - 192 * s), (x, y - 204 * s), (x + 30 * s, y - 192 * s),
                   (x, y - 180 * s)], fill="#1b1b2f")
        d.line([x + 22 * s, y - 192 * s, x + 24 * s, y - 170 * s], fill="#e9c46a", width=max(1, int(3 * s)))


def seated(d, x, y, scale=1.0, rng=random, back=True, body=None):
    """Upper body of a seated figure whose waist is at (x, y)."""
    s = scale
    skin = rng.choice(SKIN)
    cloth = body or rng.choice(CLOTHES)
    d.rounded_rectangle([x - 27 * s, y - 80 * s, x + 27 * s, y + 10 * s], 18 * s, fill=cloth)
    d.ellipse([x - 19 * s, y - 122 * s, x + 19 * s, y - 84 * s], fill=skin)
    hair = rng.choice(HAIR)
    if back:
        d.ellipse([x - 20 * s, y - 124 * s, x + 20 * s, y - 92 * s], fill=hair)
    else:
        d.chord([x - 20 * s, y - 125 * s, x + 20 * s, y - 95 * s], 180, 360, fill=hair)


def star_points(cx, cy, r_out, r_in, n, rot=-90):
    pts = []
    for i in range(2 * n):
        r = r_out if i % 2 == 0 else r_in
        a = math.radians(rot + i * 180 / n)
        pts.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    return pts


def flag(d, x, y, w=120, h=80, wave=0):
    """A red flag with a green interlaced five-pointed star, on a pole."""
    d.rectangle([x - 4, y, x + 2, y + 260], fill="#c9c9c9")
    pts = []
    for i in range(0, w + 1, 6):
        pts.append((x + 2 + i, y + 4 + wave * math.sin(i / 18)))
    bottom = [(px, py + h) for px, py in reversed(pts)]
    d.polygon(pts + bottom, fill="#c1272d")
    cx, cy, r = x + 2 + w / 2, y + 4 + h / 2, h * 0.32
    star = [(cx + r * math.cos(math.radians(-90 + k * 144)),
             cy + r * math.sin(math.radians(-90 + k * 144))) for k in range(6)]
    d.line(star, fill="#006233", width=4, joint="curve")


def save(img, name, blur=0.6):
    if blur:
        img = img.filter(ImageFilter.GaussianBlur(blur))
    path = OUT / name
    img.save(path, "JPEG", quality=QUALITY, optimize=True, progressive=True)
    print(f"{name:28s} {path.stat().st_size // 1024:4d} KB")


# ------------------------------------------------------------------ scenes

def classroom():
    rng = random.Random(1)
    img = vgradient("#f3ead7", "#e2d2b4")
    d = ImageDraw.Draw(img)
    d.rectangle([0, 470, W, H], fill="#b98b5e")
    # window with light
    d.rectangle([960, 90, 1150, 330], fill="#cfe8f3", outline="#8a6d4b", width=10)
    d.line([1055, 90, 1055, 330], fill="#8a6d4b", width=8)
    d.line([960, 210, 1150, 210], fill="#8a6d4b", width=8)
    glow(img, (1055, 260), 320, "#fff6dc", 0.35)
    d = ImageDraw.Draw(img)
    # blackboard with chalk shapes (no writing)
    d.rectangle([190, 70, 830, 330], fill="#8a6d4b")
    d.rectangle([205, 85, 815, 315], fill="#2f4f3e")
    d.ellipse([250, 130, 330, 210], outline="#e8efe6", width=4)
    d.polygon([(380, 260), (470, 130), (560, 260)], outline="#e8efe6", width=4)
    d.line([600, 150, 760, 150], fill="#e8efe6", width=4)
    d.line([600, 190, 720, 190], fill="#f2d479", width=4)
    d.line([600, 230, 770, 230], fill="#e8efe6", width=4)
    d.rectangle([205, 315, 815, 326], fill="#6f563b")
    # teacher's desk
    d.rectangle([840, 360, 1060, 400], fill="#7a4f2c")
    d.rectangle([860, 400, 880, 480], fill="#5c3b21")
    d.rectangle([1020, 400, 1040, 480], fill="#5c3b21")
    person(d, 900, 470, 1.0, rng, body="#3d5a80")
    # rows of desks with pupils seen from the back
    for row, (y, s) in enumerate([(520, 0.85), (600, 1.0), (690, 1.15)]):
        n = 4
        for i in range(n):
            x = 150 + i * 270 + (row % 2) * 40
            seated(d, x, y - 40 * s, s, rng)
            d.rounded_rectangle([x - 95 * s, y - 30 * s, x + 95 * s, y], 6, fill="#c58b4f")
            d.rectangle([x - 85 * s, y, x - 75 * s, y + 60 * s], fill="#6b4a2f")
            d.rectangle([x + 75 * s, y, x + 85 * s, y + 60 * s], fill="#6b4a2f")
    save(img, "classroom.jpg")


def workshop():
    rng = random.Random(2)
    img = vgradient("#e8eef2", "#cbd8e0")
    d = ImageDraw.Draw(img)
    d.rectangle([0, 430, W, H], fill="#9aa7b0")
    # projection screen with a chart
    d.rectangle([420, 50, 800, 250], fill="#fdfdfd", outline="#555", width=4)
    for i, hgt in enumerate([60, 110, 80, 140, 120]):
        d.rectangle([460 + i * 62, 225 - hgt, 500 + i * 62, 225], fill=CLOTHES[i])
    glow(img, (610, 150), 260, "#ffffff", 0.3)
    d = ImageDraw.Draw(img)
    # flip chart
    d.rectangle([90, 150, 230, 330], fill="#ffffff", outline="#777", width=3)
    d.line([110, 190, 210, 190], fill="#e76f51", width=5)
    d.line([110, 225, 190, 225], fill="#2a9d8f", width=5)
    d.line([110, 260, 200, 260], fill="#264653", width=5)
    d.line([120, 330, 100, 440], fill="#555", width=4)
    d.line([200, 330, 220, 440], fill="#555", width=4)
    # facilitator standing
    person(d, 300, 450, 1.05, rng, body="#6d597a")
    # oval table with participants around
    shadow(img, [330, 500, 1130, 640], 25, 80)
    d = ImageDraw.Draw(img)
    back = [(420, 470), (560, 462), (700, 460), (840, 462), (980, 470)]
    for x, y in back:
        seated(d, x, y, 0.9, rng, back=False)
    d.ellipse([340, 455, 1120, 620], fill="#d9b48a", outline="#a97d52", width=5)
    # papers, cups, a laptop on the table
    for i in range(7):
        x = 420 + i * 100
        d.rectangle([x, 505 + (i % 2) * 30, x + 46, 540 + (i % 2) * 30], fill="#fbfbf8")
    for x in (480, 760, 1000):
        d.ellipse([x, 560, x + 22, 580], fill="#ffffff", outline="#999")
    d.polygon([(640, 560), (720, 560), (735, 590), (625, 590)], fill="#3a3a44")
    for x, y in [(380, 690), (620, 700), (880, 700), (1100, 690)]:
        seated(d, x, y, 1.1, rng, back=True)
    save(img, "workshop.jpg")


def school_building():
    rng = random.Random(3)
    img = vgradient("#7cc3ea", "#dff1fa")
    glow(img, (1030, 110), 200, "#fff8d0", 0.7)
    d = ImageDraw.Draw(img)
    for cx, cy in [(220, 110), (520, 80)]:
        for dx, r in [(-40, 30), (0, 42), (40, 32)]:
            d.ellipse([cx + dx - r, cy - r, cx + dx + r, cy + r], fill="#ffffff")
    d.rectangle([0, 520, W, H], fill="#cdb38a")
    d.rectangle([0, 500, W, 525], fill="#86a96c")
    # main building
    d.rectangle([250, 250, 950, 520], fill="#f3ead8")
    d.rectangle([250, 235, 950, 258], fill="#b5523b")
    d.rectangle([520, 170, 680, 250], fill="#f3ead8")
    d.polygon([(505, 175), (600, 120), (695, 175)], fill="#b5523b")
    # arched windows (Moroccan style)
    for row, y in enumerate([290, 400]):
        for i in range(7):
            x = 285 + i * 92
            if 540 < x < 640 and row == 1:
                continue
            d.rectangle([x, y + 25, x + 50, y + 85], fill="#2c6e8f")
            d.pieslice([x, y, x + 50, y + 50], 180, 360, fill="#2c6e8f")
            d.line([x + 25, y + 10, x + 25, y + 85], fill="#f3ead8", width=3)
    # door with arch and zellige band
    d.rectangle([560, 430, 640, 520], fill="#1f5d50")
    d.pieslice([560, 390, 640, 470], 180, 360, fill="#1f5d50")
    for i in range(9):
        d.rectangle([250 + i * 78, 500, 289 + i * 78, 512], fill="#1f7a8c" if i % 2 else "#e9c46a")
    # wall and trees
    d.rectangle([0, 480, 240, 520], fill="#e7dcc6")
    d.rectangle([960, 480, W, 520], fill="#e7dcc6")
    for x in (120, 1060, 1150):
        d.rectangle([x - 8, 400, x + 8, 500], fill="#6b4a2f")
        d.ellipse([x - 60, 320, x + 60, 430], fill="#4f7f3a")
    flag(d, 600, 30, 110, 72, wave=4)
    for i in range(5):
        person(d, 300 + i * 150 + rng.randint(-20, 20), 640, 0.55, rng)
    save(img, "school-building.jpg")


def books_pencils():
    rng = random.Random(4)
    img = vgradient("#fbe9d0", "#f2c9a0")
    d = ImageDraw.Draw(img)
    d.rectangle([0, 470, W, H], fill="#b07a4f")
    d.rectangle([0, 462, W, 478], fill="#8e5f3a")
    # stack of books
    y = 462
    for i, (w, h) in enumerate([(420, 46), (380, 40), (400, 52), (340, 38), (360, 44)]):
        x = 140 + rng.randint(-20, 20)
        c = CLOTHES[(i * 5) % len(CLOTHES)]
        d.rounded_rectangle([x, y - h, x + w, y], 6, fill=c)
        d.rectangle([x + w - 18, y - h + 5, x + w - 4, y - 5], fill="#fbf7ee")
        d.line([x + 30, y - h / 2, x + 150, y - h / 2], fill="#ffffff", width=3)
        y -= h
    # open book
    d.polygon([(640, 450), (780, 400), (900, 420), (900, 470), (780, 452), (640, 470)], fill="#ffffff")
    d.polygon([(900, 420), (1020, 400), (1160, 450), (1160, 470), (1020, 452), (900, 470)], fill="#f5f1e7")
    for k in range(5):
        d.line([700, 440 - k * 7 + 0, 870, 425 - k * 0 + k * 6 - 20], fill="#cfcfcf", width=2)
        d.line([930, 425 + k * 6 - 20, 1110, 440 - k * 7], fill="#cfcfcf", width=2)
    # pencil cup
    d.rounded_rectangle([610, 250, 720, 462], 14, fill="#2a9d8f")
    for i, c in enumerate(["#e63946", "#f4a261", "#457b9d", "#e9c46a", "#6a994e"]):
        x = 625 + i * 18
        top = 120 + (i % 3) * 25
        d.rectangle([x, top, x + 14, 260], fill=c)
        d.polygon([(x, top), (x + 14, top), (x + 7, top - 22)], fill="#f7d9a8")
        d.polygon([(x + 4, top - 14), (x + 10, top - 14), (x + 7, top - 22)], fill="#333")
    # ruler and eraser
    d.polygon([(760, 560), (1120, 520), (1124, 550), (764, 590)], fill="#f1d36b")
    for k in range(0, 360, 24):
        d.line([770 + k, 560 - k / 9, 770 + k, 572 - k / 9], fill="#7a6420", width=2)
    d.rounded_rectangle([220, 560, 310, 600], 8, fill="#f28482")
    d.rounded_rectangle([260, 560, 310, 600], 8, fill="#84a59d")
    save(img, "books-pencils.jpg")


def laptop_massar():
    rng = random.Random(5)
    img = vgradient("#1d3557", "#457b9d")
    glow(img, (600, 300), 520, "#a8dadc", 0.35)
    d = ImageDraw.Draw(img)
    d.rectangle([0, 540, W, H], fill="#8d6e52")
    # laptop
    d.rounded_rectangle([300, 110, 900, 480], 18, fill="#2b2d42")
    d.rectangle([325, 135, 875, 455], fill="#f1faee")
    d.rectangle([325, 135, 875, 175], fill="#2a9d8f")
    d.rectangle([325, 175, 455, 455], fill="#e3ecef")
    for k in range(6):
        d.rounded_rectangle([340, 195 + k * 40, 440, 220 + k * 40], 6,
                            fill="#2a9d8f" if k == 1 else "#c9d6dc")
    # dashboard cards (no text)
    for i, c in enumerate(["#e76f51", "#e9c46a", "#457b9d"]):
        d.rounded_rectangle([480 + i * 130, 195, 595 + i * 130, 265], 10, fill=c)
    # line chart
    pts = [(490 + k * 36, 400 - rng.randint(0, 90) - k * 6) for k in range(11)]
    d.line(pts, fill="#2a9d8f", width=5, joint="curve")
    for p in pts:
        d.ellipse([p[0] - 5, p[1] - 5, p[0] + 5, p[1] + 5], fill="#264653")
    d.line([480, 430, 860, 430], fill="#9aa", width=2)
    # keyboard base
    d.polygon([(250, 480), (950, 480), (1010, 540), (190, 540)], fill="#3d405b")
    for r in range(3):
        for k in range(16):
            x = 290 + k * 40 + r * 10
            d.rectangle([x, 490 + r * 14, x + 30, 499 + r * 14], fill="#55597a")
    # tablet and phone
    d.rounded_rectangle([960, 330, 1140, 560], 16, fill="#222")
    d.rectangle([975, 345, 1125, 545], fill="#cfe7ea")
    for k in range(4):
        d.rounded_rectangle([990, 360 + k * 45, 1110, 395 + k * 45], 8, fill=CLOTHES[k + 3])
    d.rounded_rectangle([80, 420, 170, 570], 12, fill="#222")
    d.rectangle([88, 432, 162, 556], fill="#ffe8d6")
    save(img, "laptop-massar.jpg")


def meeting_hall():
    rng = random.Random(6)
    img = vgradient("#3b2f4a", "#7b5e7b")
    d = ImageDraw.Draw(img)
    # stage
    d.rectangle([0, 300, W, 360], fill="#5a3e36")
    d.rectangle([260, 40, 940, 270], fill="#eef3f6")
    glow(img, (600, 160), 420, "#fff1d6", 0.35)
    d = ImageDraw.Draw(img)
    # zellige frieze on the screen
    for i in range(12):
        cx = 300 + i * 55
        d.polygon(star_points(cx, 155, 24, 12, 8), fill=["#1f7a8c", "#e9c46a", "#c1272d"][i % 3])
    # curtains
    d.polygon([(0, 0), (220, 0), (160, 300), (0, 300)], fill="#8e2c3d")
    d.polygon([(W, 0), (W - 220, 0), (W - 160, 300), (W, 300)], fill="#8e2c3d")
    # panel table
    d.rectangle([330, 255, 870, 300], fill="#2d6a4f")
    for i in range(5):
        seated(d, 380 + i * 110, 255, 0.7, rng, back=False)
    d.rectangle([330, 255, 870, 300], fill="#2d6a4f")
    d.rectangle([330, 255, 870, 262], fill="#e9c46a")
    flag(d, 930, 110, 70, 46, wave=2)
    # audience rows from the back
    for row in range(4):
        y = 430 + row * 80
        s = 0.75 + row * 0.13
        for i in range(9):
            x = 60 + i * 135 + (row % 2) * 60
            seated(d, x, y, s, rng, back=True)
        d.rectangle([0, y + 5, W, y + 22], fill="#3a2a36")
    save(img, "meeting-hall.jpg")


def schoolbags():
    rng = random.Random(7)
    img = vgradient("#fff3e0", "#ffd8a8")
    d = ImageDraw.Draw(img)
    d.rectangle([0, 500, W, H], fill="#c49a6c")
    shadow(img, [40, 470, 1160, 560], 20, 70)
    d = ImageDraw.Draw(img)
    colours = ["#e63946", "#457b9d", "#2a9d8f", "#f4a261", "#6d597a", "#e9c46a", "#1d3557"]
    for i, c in enumerate(colours):
        x = 60 + i * 158
        top = 230 + rng.randint(-20, 20)
        # strap
        d.arc([x + 30, top - 55, x + 110, top + 30], 180, 360, fill="#333", width=8)
        d.rounded_rectangle([x, top, x + 140, 510], 30, fill=c)
        d.rounded_rectangle([x + 18, top + 150, x + 122, 490], 20,
                            fill=tuple(max(0, v - 35) for v in hex_rgb(c)))
        d.line([x + 18, top + 175, x + 122, top + 175], fill="#f1f1f1", width=3)
        d.rounded_rectangle([x + 55, top + 165, x + 85, top + 185], 6, fill="#dddddd")
        if i % 2 == 0:
            d.polygon(star_points(x + 70, top + 80, 22, 10, 5), fill="#ffffff")
        else:
            d.ellipse([x + 50, top + 60, x + 90, top + 100], fill="#ffffff")
    # books peeking
    for i in range(4):
        d.rectangle([200 + i * 250, 560, 290 + i * 250, 600], fill=CLOTHES[i * 2])
    save(img, "schoolbags.jpg")


def playground():
    rng = random.Random(8)
    img = vgradient("#9bd1f0", "#e8f6fc")
    d = ImageDraw.Draw(img)
    d.rectangle([0, 300, W, H], fill="#e7c79a")
    d.rectangle([0, 230, W, 305], fill="#f1e6d2")
    for i in range(10):
        d.rectangle([i * 130, 245, i * 130 + 80, 285], fill="#2c6e8f")
    # painted court lines
    d.rectangle([180, 380, 1020, 640], outline="#ffffff", width=6)
    d.line([600, 380, 600, 640], fill="#ffffff", width=6)
    d.ellipse([540, 450, 660, 570], outline="#ffffff", width=6)
    # hopscotch
    for k, (dx, dy) in enumerate([(0, 0), (0, -45), (-30, -90), (30, -90), (0, -135)]):
        d.rectangle([90 + dx, 620 + dy, 130 + dx, 660 + dy], outline="#e63946", width=4)
    # basket
    d.rectangle([1090, 200, 1102, 470], fill="#666")
    d.rectangle([1040, 190, 1150, 260], fill="#ffffff", outline="#444", width=3)
    d.ellipse([1060, 250, 1110, 265], outline="#e76f51", width=5)
    # tree
    d.rectangle([60, 230, 80, 380], fill="#6b4a2f")
    d.ellipse([-10, 130, 150, 280], fill="#5c8f3e")
    # children running
    for i in range(9):
        x = 230 + i * 95 + rng.randint(-20, 20)
        y = 520 + rng.randint(-60, 90)
        person(d, x, y, 0.6 + rng.random() * 0.15, rng, arms_up=(i % 3 == 0))
    d.ellipse([700, 360, 740, 400], fill="#f4a261", outline="#b5523b", width=3)
    save(img, "playground.jpg")


def graduation():
    rng = random.Random(9)
    img = vgradient("#14213d", "#3a506b")
    d = ImageDraw.Draw(img)
    # confetti
    for _ in range(140):
        x, y = rng.randint(0, W), rng.randint(0, 380)
        c = rng.choice(["#e9c46a", "#e76f51", "#2a9d8f", "#f1faee", "#8ecae6"])
        d.rectangle([x, y, x + 8, y + 4], fill=c)
    # caps in the air
    for _ in range(9):
        x, y = rng.randint(80, 1120), rng.randint(40, 250)
        a = rng.uniform(-0.5, 0.5)
        pts = [(x + 45 * math.cos(a + k * math.pi / 2), y + 18 * math.sin(a + k * math.pi / 2))
               for k in range(4)]
        d.polygon(pts, fill="#0b0b14")
        d.line([x, y, x + 10, y + 34], fill="#e9c46a", width=3)
    glow(img, (600, 700), 520, "#f4d58d", 0.35)
    d = ImageDraw.Draw(img)
    d.rectangle([0, 600, W, H], fill="#6b4a2f")
    for i in range(8):
        person(d, 110 + i * 140, 660, 1.15, rng, arms_up=(i % 2 == 1), cap=(i % 2 == 0),
               body=rng.choice(["#1b1b2f", "#2b2d42", "#3d405b"]))
    save(img, "graduation.jpg")


def region_map():
    rng = random.Random(10)
    img = hgradient("#a8dadc", "#cfe8e0")
    d = ImageDraw.Draw(img)
    # ocean waves
    for y in range(40, H, 40):
        d.arc([-20 + (y % 80), y, 60 + (y % 80), y + 30], 200, 340, fill="#8cc7cf", width=3)
    # land with irregular coast
    coast = [(330, 0)]
    for y in range(0, H + 1, 45):
        coast.append((330 + 80 * math.sin(y / 90) + rng.randint(-18, 18) + y * 0.25, y))
    land = coast + [(W, H), (W, 0)]
    d.polygon(land, fill="#efe3c8")
    # provinces: Voronoi-ish cells drawn as polygons around seed points
    seeds = [(520, 150), (700, 120), (900, 160), (1080, 120), (560, 380), (760, 330),
             (960, 380), (1120, 330), (620, 580), (860, 560), (1080, 590)]
    colours = ["#f4a261", "#e9c46a", "#a3c585", "#84a59d", "#f28482", "#cdb4db",
               "#8ecae6", "#ffb703", "#90be6d", "#bde0fe", "#ffc8dd"]
    cell = Image.new("RGB", (W // 4, H // 4))
    px = cell.load()
    for yy in range(H // 4):
        for xx in range(W // 4):
            X, Y = xx * 4, yy * 4
            k = min(range(len(seeds)), key=lambda j: (seeds[j][0] - X) ** 2 + (seeds[j][1] - Y) ** 2)
            px[xx, yy] = hex_rgb(colours[k])
    cell = cell.resize((W, H), Image.NEAREST)
    mask = Image.new("L", (W, H), 0)
    ImageDraw.Draw(mask).polygon(land, fill=255)
    img.paste(cell, (0, 0), mask)
    edges = cell.filter(ImageFilter.FIND_EDGES).convert("L").point(lambda v: 255 if v > 20 else 0)
    edges = Image.composite(edges, Image.new("L", (W, H), 0), mask)
    img.paste(Image.new("RGB", (W, H), "#ffffff"), (0, 0), edges)
    d = ImageDraw.Draw(img)
    d.line(coast, fill="#4a7c8c", width=5, joint="curve")
    # pins
    for x, y in seeds[::2]:
        d.ellipse([x - 16, y - 46, x + 16, y - 14], fill="#c1272d")
        d.polygon([(x - 12, y - 24), (x + 12, y - 24), (x, y)], fill="#c1272d")
        d.ellipse([x - 6, y - 36, x + 6, y - 24], fill="#ffffff")
    # compass rose
    d.polygon(star_points(170, 540, 70, 16, 4), fill="#264653")
    d.polygon(star_points(170, 540, 44, 12, 4, rot=-45), fill="#e9c46a")
    save(img, "region-map.jpg")


def zellige(name, palette, seed, tile=150):
    rng = random.Random(seed)
    img = Image.new("RGB", (W, H), palette[0])
    d = ImageDraw.Draw(img)
    for j in range(-1, H // tile + 2):
        for i in range(-1, W // tile + 2):
            cx, cy = i * tile + (tile // 2) * (j % 2), j * tile * 0.87
            d.polygon(star_points(cx, cy, tile * 0.5, tile * 0.36, 8, rot=-90 + 22.5),
                      fill=palette[1])
            d.polygon(star_points(cx, cy, tile * 0.36, tile * 0.25, 8), fill=palette[2])
            d.polygon(star_points(cx, cy, tile * 0.2, tile * 0.09, 8, rot=-90 + 22.5),
                      fill=palette[3])
            d.ellipse([cx - 6, cy - 6, cx + 6, cy + 6], fill=palette[1])
            # small cross tiles between stars
            mx, my = cx + tile / 2, cy
            d.polygon(star_points(mx, my, tile * 0.14, tile * 0.06, 4, rot=-90 + 45),
                      fill=palette[rng.choice([3, 4])])
    # soft light across the wall
    light = hgradient("#ffffff", "#000000")
    img = Image.blend(img, light, 0.08)
    save(img, name, blur=1.4)


def preschool():
    rng = random.Random(12)
    img = vgradient("#fff1e6", "#fde2e4")
    d = ImageDraw.Draw(img)
    d.rectangle([0, 470, W, H], fill="#cde8b0")
    # garland
    for i in range(16):
        x = 40 + i * 72
        y = 60 + 18 * math.sin(i / 2.5)
        d.polygon([(x, y), (x + 50, y), (x + 25, y + 50)], fill=CLOTHES[i % len(CLOTHES)])
    d.line([(40 + i * 72, 60 + 18 * math.sin(i / 2.5)) for i in range(16)], fill="#555", width=2)
    # wall drawings: sun, house, tree
    d.ellipse([90, 170, 190, 270], fill="#ffd166")
    d.rectangle([950, 210, 1080, 320], fill="#ef476f")
    d.polygon([(935, 215), (1015, 150), (1095, 215)], fill="#118ab2")
    # low round table with small chairs
    shadow(img, [330, 520, 870, 600], 20, 70)
    d = ImageDraw.Draw(img)
    for x in (360, 520, 680, 840):
        d.rounded_rectangle([x - 35, 420, x + 35, 470], 10, fill=rng.choice(CLOTHES))
    for x in (380, 540, 700, 820):
        seated(d, x, 470, 0.6, rng, back=False)
    d.ellipse([320, 460, 880, 560], fill="#ffb703")
    # building blocks
    bx = 420
    for k in range(6):
        c = ["#ef476f", "#06d6a0", "#118ab2", "#ffd166", "#8338ec", "#fb5607"][k]
        d.rectangle([bx + k * 48, 480 - (k % 3) * 12, bx + 40 + k * 48, 520 - (k % 3) * 12], fill=c)
    d.polygon([(720, 500), (760, 460), (800, 500)], fill="#06d6a0")
    # abacus
    d.rectangle([120, 360, 270, 520], outline="#6b4a2f", width=8)
    for r in range(4):
        y = 395 + r * 35
        d.line([125, y, 265, y], fill="#6b4a2f", width=3)
        for b in range(5):
            x = 140 + b * 20 + (r % 2) * 30
            d.ellipse([x, y - 9, x + 18, y + 9], fill=CLOTHES[(r + b) % len(CLOTHES)])
    save(img, "preschool.jpg")


def exam_hall():
    rng = random.Random(13)
    img = vgradient("#eef0eb", "#d7dbd0")
    d = ImageDraw.Draw(img)
    d.rectangle([0, 330, W, H], fill="#c9b79c")
    # clock
    d.ellipse([540, 40, 660, 160], fill="#ffffff", outline="#333", width=6)
    d.line([600, 100, 600, 60], fill="#333", width=5)
    d.line([600, 100, 635, 115], fill="#333", width=5)
    for k in range(12):
        a = math.radians(k * 30)
        d.line([600 + 48 * math.cos(a), 100 + 48 * math.sin(a),
                600 + 54 * math.cos(a), 100 + 54 * math.sin(a)], fill="#333", width=3)
    # windows
    for x in (90, 900):
        d.rectangle([x, 80, x + 200, 260], fill="#cde7f0", outline="#8a8f7a", width=8)
    # individual desks in perspective rows
    for row in range(4):
        y = 360 + row * 85
        s = 0.65 + row * 0.14
        n = 6
        span = 900 + row * 160
        x0 = (W - span) / 2
        for i in range(n):
            x = x0 + i * span / (n - 1)
            seated(d, x, y - 20 * s, s, rng, back=True)
            d.rectangle([x - 55 * s, y - 20 * s, x + 55 * s, y], fill="#a47148")
            d.rectangle([x - 30 * s, y - 26 * s, x + 10 * s, y - 20 * s], fill="#ffffff")
            d.rectangle([x - 50 * s, y, x - 44 * s, y + 50 * s], fill="#5e4028")
            d.rectangle([x + 44 * s, y, x + 50 * s, y + 50 * s], fill="#5e4028")
    save(img, "exam-hall.jpg")


def library():
    rng = random.Random(14)
    img = vgradient("#5c4033", "#2f211a")
    d = ImageDraw.Draw(img)
    glow(img, (600, 0), 500, "#ffd59e", 0.4)
    d = ImageDraw.Draw(img)
    for sx in (40, 620):
        d.rectangle([sx, 40, sx + 540, 600], fill="#7a4e2d")
        for shelf in range(5):
            y = 60 + shelf * 108
            d.rectangle([sx + 15, y, sx + 525, y + 94], fill="#3a2518")
            x = sx + 20
            while x < sx + 510:
                w = rng.randint(14, 30)
                h = rng.randint(60, 90)
                if rng.random() < 0.08:
                    x += w
                    continue
                c = rng.choice(CLOTHES + ["#8d0801", "#1b4332", "#f2e8cf"])
                d.rectangle([x, y + 94 - h, min(x + w, sx + 520), y + 94], fill=c)
                d.line([x + 3, y + 100 - h, x + w - 3, y + 100 - h], fill="#f2e8cf", width=2)
                x += w + 2
            d.rectangle([sx, y + 94, sx + 540, y + 108], fill="#7a4e2d")
    d.rectangle([0, 600, W, H], fill="#8a6a4f")
    person(d, 590, 660, 1.0, rng, back=True, arms_up=False, body="#2a9d8f")
    save(img, "library.jpg")


def inclusive_class():
    rng = random.Random(15)
    img = vgradient("#e0f2f1", "#b2dfdb")
    d = ImageDraw.Draw(img)
    d.rectangle([0, 460, W, H], fill="#d7c2a0")
    # ramp to a door
    d.rectangle([880, 170, 1040, 430], fill="#00796b")
    d.pieslice([880, 110, 1040, 230], 180, 360, fill="#00796b")
    d.polygon([(700, 460), (880, 430), (1060, 430), (1060, 460)], fill="#b0bec5")
    d.line([(700, 420), (880, 390)], fill="#607d8b", width=6)
    # accessibility-like sign (abstract)
    d.rounded_rectangle([1080, 200, 1160, 280], 10, fill="#1565c0")
    d.ellipse([1112, 212, 1128, 228], fill="#ffffff")
    d.arc([1096, 236, 1140, 276], 0, 300, fill="#ffffff", width=5)
    # circle of children and a teacher, one in a wheelchair
    positions = [(200, 600), (330, 560), (470, 600), (760, 590), (620, 560)]
    for i, (x, y) in enumerate(positions):
        person(d, x, y, 0.75, rng, arms_up=(i == 2))
    # wheelchair figure
    x, y = 560, 640
    d.ellipse([x - 55, y - 80, x + 25, y], outline="#37474f", width=8)
    d.ellipse([x + 20, y - 25, x + 45, y], outline="#37474f", width=6)
    d.line([x - 30, y - 80, x + 35, y - 80], fill="#37474f", width=8)
    d.line([x - 35, y - 80, x - 35, y - 150], fill="#37474f", width=8)
    seated(d, x, y - 80, 0.75, rng, back=False, body="#f4a261")
    # ball and hearts of colour
    d.ellipse([380, 600, 430, 650], fill="#ffca28")
    for k in range(6):
        d.ellipse([100 + k * 130, 60 + (k % 2) * 30, 150 + k * 130, 110 + (k % 2) * 30],
                  fill=CLOTHES[k])
    save(img, "inclusive-class.jpg")


def science_lab():
    rng = random.Random(16)
    img = vgradient("#e3f2fd", "#bbdefb")
    d = ImageDraw.Draw(img)
    d.rectangle([0, 420, W, H], fill="#455a64")
    d.rectangle([0, 410, W, 430], fill="#263238")
    # periodic-table-like grid (coloured squares, no letters)
    for r in range(4):
        for c in range(14):
            if r == 0 and 1 < c < 12:
                continue
            d.rectangle([80 + c * 52, 50 + r * 52, 124 + c * 52, 94 + r * 52],
                        fill=["#ffcc80", "#a5d6a7", "#90caf9", "#f48fb1"][(c + r) % 4])
    # flasks
    for i, (x, c) in enumerate([(250, "#26a69a"), (420, "#ef5350"), (600, "#ab47bc"),
                                (800, "#ffca28"), (980, "#42a5f5")]):
        if i % 2 == 0:
            d.rectangle([x - 15, 250, x + 15, 320], fill="#e0f7fa", outline="#78909c", width=3)
            d.polygon([(x - 15, 320), (x + 15, 320), (x + 70, 410), (x - 70, 410)],
                      fill="#e0f7fa", outline="#78909c")
            d.polygon([(x - 38, 360), (x + 38, 360), (x + 68, 408), (x - 68, 408)], fill=c)
        else:
            d.rounded_rectangle([x - 30, 230, x + 30, 410], 20, fill="#e0f7fa", outline="#78909c", width=3)
            d.rounded_rectangle([x - 26, 320, x + 26, 406], 18, fill=c)
        for b in range(4):
            bx, by = x + rng.randint(-20, 20), 230 - b * 30 - rng.randint(0, 10)
            d.ellipse([bx - 8, by - 8, bx + 8, by + 8], outline=c, width=3)
    # microscope (simple)
    d.rectangle([1070, 380, 1150, 410], fill="#37474f")
    d.line([1110, 380, 1110, 300], fill="#37474f", width=14)
    d.line([1110, 300, 1080, 230], fill="#546e7a", width=18)
    seated(d, 150, 640, 1.0, rng, back=True, body="#ffffff")
    seated(d, 1000, 650, 1.0, rng, back=True, body="#ffffff")
    save(img, "science-lab.jpg")


def calendar():
    img = vgradient("#fefae0", "#faedcd")
    d = ImageDraw.Draw(img)
    shadow(img, [210, 100, 1010, 660], 24, 80)
    d = ImageDraw.Draw(img)
    d.rounded_rectangle([200, 70, 1000, 630], 20, fill="#ffffff")
    d.rounded_rectangle([200, 70, 1000, 170], 20, fill="#bc4749")
    d.rectangle([200, 140, 1000, 170], fill="#bc4749")
    for x in (300, 900):
        d.rounded_rectangle([x - 12, 40, x + 12, 110], 10, fill="#6a040f")
    for r in range(5):
        for c in range(7):
            x, y = 230 + c * 108, 195 + r * 85
            fill = "#f1f1f1"
            if (r, c) in {(1, 2), (1, 3), (1, 4)}:
                fill = "#a7c957"
            if (r, c) in {(3, 5)}:
                fill = "#f2e8cf"
            d.rounded_rectangle([x, y, x + 92, y + 70], 10, fill=fill)
            d.ellipse([x + 10, y + 10, x + 26, y + 26], fill="#cccccc")
    # circled deadline
    d.ellipse([770, 435, 882, 530], outline="#bc4749", width=7)
    # pen
    d.polygon([(1050, 560), (1160, 330), (1185, 342), (1075, 572)], fill="#386641")
    d.polygon([(1050, 560), (1075, 572), (1048, 600)], fill="#f2e8cf")
    save(img, "calendar.jpg")


def registration_desk():
    rng = random.Random(18)
    img = vgradient("#f8edeb", "#e8d5cf")
    d = ImageDraw.Draw(img)
    d.rectangle([0, 450, W, H], fill="#b08968")
    # arched openings in the wall
    for x in (80, 980):
        d.rectangle([x, 160, x + 140, 450], fill="#d9c2b0")
        d.pieslice([x, 90, x + 140, 230], 180, 360, fill="#d9c2b0")
    # counter
    d.rectangle([330, 330, 870, 470], fill="#1d3557")
    d.rectangle([320, 320, 880, 340], fill="#a8dadc")
    seated(d, 480, 325, 0.9, rng, back=False, body="#e63946")
    seated(d, 720, 325, 0.9, rng, back=False, body="#457b9d")
    d.rectangle([320, 320, 880, 340], fill="#a8dadc")
    d.rectangle([560, 290, 640, 322], fill="#333")
    d.rectangle([565, 294, 635, 318], fill="#a8dadc")
    # folders
    for i in range(4):
        d.rectangle([380 + i * 30, 300 - i * 6, 440 + i * 30, 320], fill=CLOTHES[i])
    # queue of parents with children
    for i in range(5):
        x = 260 + i * 170
        person(d, x, 640, 1.0, rng, back=True)
        if i % 2 == 0:
            person(d, x + 60, 650, 0.55, rng, back=True)
    save(img, "registration-desk.jpg")


def theatre_stage():
    rng = random.Random(19)
    img = Image.new("RGB", (W, H), "#14080e")
    glow(img, (600, 330), 460, "#ffb347", 0.55)
    glow(img, (360, 360), 220, "#ff6f91", 0.35)
    glow(img, (860, 360), 220, "#6fb1ff", 0.35)
    d = ImageDraw.Draw(img)
    # curtains with folds
    for side in (0, 1):
        for k in range(6):
            x = k * 38 if side == 0 else W - (k + 1) * 38
            d.rectangle([x, 0, x + 38, 560], fill="#8b1e3f" if k % 2 else "#a4264a")
    d.rectangle([0, 0, W, 60], fill="#6d1530")
    for k in range(0, W, 60):
        d.pieslice([k, 30, k + 60, 90], 0, 180, fill="#6d1530")
    d.rectangle([0, 520, W, H], fill="#4a2c1d")
    d.rectangle([0, 515, W, 530], fill="#2d1a11")
    # actors
    person(d, 470, 520, 1.1, rng, arms_up=True, body="#e9c46a")
    person(d, 620, 520, 1.1, rng, body="#2a9d8f")
    person(d, 760, 520, 1.0, rng, arms_up=True, body="#e76f51")
    # audience silhouettes
    for i in range(14):
        x = 40 + i * 85
        d.ellipse([x, 600, x + 50, 650], fill="#0b0508")
        d.rounded_rectangle([x - 10, 640, x + 60, 700], 20, fill="#0b0508")
    save(img, "theatre-stage.jpg")


def running_race():
    rng = random.Random(20)
    img = vgradient("#bde0fe", "#fdfcdc")
    d = ImageDraw.Draw(img)
    # hills
    d.ellipse([-300, 280, 700, 700], fill="#90be6d")
    d.ellipse([400, 300, 1500, 760], fill="#6a994e")
    d.rectangle([0, 470, W, H], fill="#a7c957")
    # track
    d.polygon([(0, 560), (W, 500), (W, 600), (0, 675)], fill="#e5989b")
    d.line([(0, 615), (W, 550)], fill="#ffffff", width=4)
    # trees
    for x in (120, 980, 1100):
        d.rectangle([x - 7, 300, x + 7, 380], fill="#6b4a2f")
        d.ellipse([x - 45, 230, x + 45, 330], fill="#386641")
    # banner arch (no text)
    d.rectangle([840, 280, 856, 560], fill="#555")
    d.rectangle([1120, 260, 1136, 540], fill="#555")
    d.polygon([(840, 280), (1136, 260), (1136, 310), (840, 330)], fill="#e76f51")
    for i in range(6):
        x = 160 + i * 120 + rng.randint(-15, 15)
        y = 610 - i * 10
        person(d, x, y, 0.7, rng, arms_up=(i == 5))
    save(img, "running-race.jpg")


def main():
    classroom()
    workshop()
    school_building()
    books_pencils()
    laptop_massar()
    meeting_hall()
    schoolbags()
    playground()
    graduation()
    region_map()
    zellige("zellige-green.jpg", ["#f3ead8", "#1f6f5c", "#ffffff", "#d9a441", "#1d3557"], 11, tile=180)
    zellige("zellige-blue.jpg", ["#1d3557", "#e9c46a", "#457b9d", "#f1faee", "#c1272d"], 21, tile=200)
    preschool()
    exam_hall()
    library()
    inclusive_class()
    science_lab()
    calendar()
    registration_desk()
    theatre_stage()
    running_race()


if __name__ == "__main__":
    main()
