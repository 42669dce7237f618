"""Draw the demo product images referenced by ``seeds/catalog.json``.

Every image is drawn from scratch with Pillow: book covers, garment silhouettes,
jewelry, homeware and accessories. Output is deterministic: colours and small
variations are derived from the product slug, never from a global random state.

Usage::

    python tools/make_images.py            # draw every image, then check the catalog
    python tools/make_images.py SLUG ...   # redraw only the given products
    python tools/make_images.py --check    # only validate catalog.json and the images
"""

import colorsys
import hashlib
import json
import math
import random
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
CATALOG = SEEDS / "catalog.json"
IMAGE_DIR = SEEDS / "images"

SIZE = 600  # final image size in pixels
SS = 2  # supersampling factor: draw at 1200px, then downscale for smooth edges
FULL = (SIZE * SS, SIZE * SS)
PALETTE_COLOURS = 64

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {
    "sans": "DejaVuSans.ttf",
    "sans-bold": "DejaVuSans-Bold.ttf",
    "serif-bold": "DejaVuSerif-Bold.ttf",
    "serif-italic": "DejaVuSerif-Italic.ttf",
}

Colour = tuple[int, int, int]
Point = tuple[float, float]

NAMED_COLOURS: dict[str, Colour] = {
    "navy": (40, 56, 96),
    "sand": (216, 192, 150),
    "white": (246, 244, 238),
    "sage": (146, 170, 136),
    "charcoal": (62, 64, 70),
    "forest": (42, 94, 66),
    "oat": (224, 210, 182),
    "moss": (112, 128, 70),
    "rust": (178, 84, 46),
    "mustard": (216, 166, 48),
    "grey": (150, 154, 160),
    "sea blue": (62, 128, 164),
    "cream": (242, 232, 206),
    "tan": (198, 142, 88),
    "brown": (112, 72, 46),
}

# Colours suggested by words in a slug, for products without a colour option.
TOKEN_COLOURS: dict[str, Colour] = {
    "fog": (160, 166, 174),
    "fireside": (176, 62, 46),
    "pine": (74, 102, 54),
    "seaside": (72, 132, 172),
    "cabin": (170, 128, 92),
    "striped": (206, 70, 64),
    "beeswax": (236, 194, 100),
    "canvas": (234, 224, 200),
}


# Deep cover colours for books; a slug picks one, then nudges it lighter or darker.
BOOK_COLOURS: list[Colour] = [
    (36, 58, 100),
    (120, 36, 52),
    (28, 104, 110),
    (170, 122, 30),
    (40, 88, 60),
    (92, 50, 104),
    (168, 78, 52),
    (70, 84, 104),
    (100, 106, 48),
    (164, 72, 100),
    (40, 72, 140),
    (110, 64, 40),
    (22, 40, 48),
    (136, 40, 30),
    (60, 120, 92),
    (84, 60, 140),
]


@dataclass(frozen=True)
class Metal:
    base: Colour
    dark: Colour
    light: Colour


METALS: dict[str, Metal] = {
    "silver": Metal((204, 208, 216), (120, 126, 140), (252, 252, 254)),
    "gold": Metal((222, 180, 82), (150, 110, 36), (255, 238, 176)),
    "rose gold": Metal((224, 162, 140), (160, 98, 82), (255, 222, 208)),
}


# --------------------------------------------------------------------------- colour helpers


def hls(hue: float, light: float, sat: float) -> Colour:
    r, g, b = colorsys.hls_to_rgb(hue % 1.0, light, sat)
    return (round(r * 255), round(g * 255), round(b * 255))


def mix(a: Colour, b: Colour, t: float) -> Colour:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def shade(c: Colour, t: float = 0.25) -> Colour:
    return mix(c, (0, 0, 0), t)


def tint(c: Colour, t: float = 0.35) -> Colour:
    return mix(c, (255, 255, 255), t)


def luminance(c: Colour) -> float:
    return (0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]) / 255


def seed_of(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


# --------------------------------------------------------------------------- geometry helpers


def sp(points: list[Point]) -> list[Point]:
    """Scale 600-space points to the supersampled canvas."""
    return [(x * SS, y * SS) for x, y in points]


def sb(box: tuple[float, float, float, float]) -> list[float]:
    return [v * SS for v in box]


def ellipse_point(cx: float, cy: float, rx: float, ry: float, deg: float) -> Point:
    a = math.radians(deg)
    return (cx + rx * math.cos(a), cy + ry * math.sin(a))


def rotate(points: list[Point], cx: float, cy: float, deg: float) -> list[Point]:
    a = math.radians(deg)
    ca, sa = math.cos(a), math.sin(a)
    return [
        (cx + (x - cx) * ca - (y - cy) * sa, cy + (x - cx) * sa + (y - cy) * ca) for x, y in points
    ]


def teardrop(cx: float, top: float, width: float, length: float) -> list[Point]:
    """A drop with its point at (cx, top), hanging down ``length`` pixels."""
    pts = []
    for i in range(73):
        t = 2 * math.pi * i / 72
        u = math.cos(t)
        v = math.sin(t) * math.sin(t / 2)
        pts.append((cx + v * width / 2, top + (1 - u) / 2 * length))
    return pts


def leaf(cx: float, cy: float, length: float, width: float, deg: float) -> list[Point]:
    """A pointed leaf (lens shape) centred on (cx, cy), rotated ``deg`` from horizontal."""
    top, bottom = [], []
    for i in range(25):
        t = math.pi * i / 24
        x = cx - length / 2 + length * i / 24
        off = width / 2 * math.sin(t)
        top.append((x, cy - off))
        bottom.append((x, cy + off))
    return rotate(top + bottom[::-1], cx, cy, deg)


def star(
    cx: float, cy: float, r_out: float, r_in: float, n: int = 5, rot: float = -90
) -> list[Point]:
    pts = []
    for i in range(2 * n):
        r = r_out if i % 2 == 0 else r_in
        pts.append(ellipse_point(cx, cy, r, r, rot + 180 * i / n))
    return pts


def wave(x0: float, x1: float, y: float, amp: float, period: float) -> list[Point]:
    steps = max(8, int((x1 - x0) / 4))
    return [
        (
            x0 + (x1 - x0) * i / steps,
            y + amp * math.sin(2 * math.pi * ((x1 - x0) * i / steps) / period),
        )
        for i in range(steps + 1)
    ]


def quad_curve(p0: Point, ctrl: Point, p1: Point, steps: int = 16) -> list[Point]:
    pts = []
    for i in range(steps + 1):
        t = i / steps
        x = (1 - t) ** 2 * p0[0] + 2 * (1 - t) * t * ctrl[0] + t * t * p1[0]
        y = (1 - t) ** 2 * p0[1] + 2 * (1 - t) * t * ctrl[1] + t * t * p1[1]
        pts.append((x, y))
    return pts


# --------------------------------------------------------------------------- fonts


@lru_cache(maxsize=64)
def font(size: float, style: str = "sans-bold") -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    px = max(6, round(size * SS))
    name = FONT_FILES.get(style, FONT_FILES["sans-bold"])
    for candidate in (str(FONT_DIR / name), name):
        try:
            return ImageFont.truetype(candidate, px)
        except OSError:
            continue
    try:
        return ImageFont.load_default(size=px)
    except TypeError:  # very old Pillow without scalable default font
        return ImageFont.load_default()


# --------------------------------------------------------------------------- drawing surfaces


class Layer:
    """A coverage mask built from primitives, later stamped onto a Canvas."""

    def __init__(self) -> None:
        self.mask = Image.new("L", FULL, 0)
        self.draw = ImageDraw.Draw(self.mask)

    @staticmethod
    def _v(erase: bool) -> int:
        return 0 if erase else 255

    def polygon(self, pts: list[Point], erase: bool = False) -> "Layer":
        self.draw.polygon(sp(pts), fill=self._v(erase))
        return self

    def ellipse(self, box: tuple[float, float, float, float], erase: bool = False) -> "Layer":
        self.draw.ellipse(sb(box), fill=self._v(erase))
        return self

    def circle(self, cx: float, cy: float, r: float, erase: bool = False) -> "Layer":
        return self.ellipse((cx - r, cy - r, cx + r, cy + r), erase)

    def rect(
        self, box: tuple[float, float, float, float], radius: float = 0, erase: bool = False
    ) -> "Layer":
        self.draw.rounded_rectangle(sb(box), radius=radius * SS, fill=self._v(erase))
        return self

    def line(self, pts: list[Point], width: float, erase: bool = False) -> "Layer":
        self.draw.line(sp(pts), fill=self._v(erase), width=round(width * SS), joint="curve")
        return self

    def arc(
        self, box: tuple[float, float, float, float], start: float, end: float, width: float
    ) -> "Layer":
        self.draw.arc(sb(box), start, end, fill=255, width=round(width * SS))
        return self

    def clip(self, other: "Layer") -> "Layer":
        """Return a new layer covering only where both layers are set."""
        out = Layer()
        out.mask = ImageChops.multiply(self.mask, other.mask)
        out.draw = ImageDraw.Draw(out.mask)
        return out


class Canvas:
    def __init__(self, background: Colour) -> None:
        self.img = Image.new("RGB", FULL, background)
        self.draw = ImageDraw.Draw(self.img)

    # -- composite shapes
    def stamp(
        self,
        layer: Layer,
        fill: Colour | Image.Image,
        outline: Colour | None = None,
        width: float = 3,
    ) -> None:
        if outline is not None and width > 0:
            grown = layer.mask.filter(ImageFilter.MaxFilter(2 * round(width * SS) + 1))
            self.img.paste(outline, (0, 0, *FULL), grown)
        if isinstance(fill, Image.Image):
            self.img.paste(fill, (0, 0), layer.mask)
        else:
            self.img.paste(fill, (0, 0, *FULL), layer.mask)

    def soft_shadow(
        self, layer: Layer, colour: Colour, blur: float = 10, offset: Point = (0, 0)
    ) -> None:
        mask = ImageChops.offset(layer.mask, round(offset[0] * SS), round(offset[1] * SS))
        mask = mask.filter(ImageFilter.GaussianBlur(blur * SS))
        self.img.paste(colour, (0, 0, *FULL), mask)

    # -- direct primitives
    def polygon(
        self,
        pts: list[Point],
        fill: Colour | None = None,
        outline: Colour | None = None,
        width: float = 1,
    ) -> None:
        self.draw.polygon(sp(pts), fill=fill, outline=outline, width=round(width * SS))

    def ellipse(
        self,
        box: tuple[float, float, float, float],
        fill: Colour | None = None,
        outline: Colour | None = None,
        width: float = 1,
    ) -> None:
        self.draw.ellipse(sb(box), fill=fill, outline=outline, width=round(width * SS))

    def circle(
        self,
        cx: float,
        cy: float,
        r: float,
        fill: Colour | None = None,
        outline: Colour | None = None,
        width: float = 1,
    ) -> None:
        self.ellipse((cx - r, cy - r, cx + r, cy + r), fill, outline, width)

    def rect(
        self,
        box: tuple[float, float, float, float],
        fill: Colour | None = None,
        outline: Colour | None = None,
        width: float = 1,
        radius: float = 0,
    ) -> None:
        self.draw.rounded_rectangle(
            sb(box), radius=radius * SS, fill=fill, outline=outline, width=round(width * SS)
        )

    def line(self, pts: list[Point], fill: Colour, width: float = 2) -> None:
        self.draw.line(sp(pts), fill=fill, width=round(width * SS), joint="curve")

    def dashed(
        self, pts: list[Point], fill: Colour, width: float = 2, dash: float = 10, gap: float = 7
    ) -> None:
        """Stitch-like dashed polyline."""
        pos, on = 0.0, True
        for (x0, y0), (x1, y1) in zip(pts, pts[1:], strict=False):
            seg = math.hypot(x1 - x0, y1 - y0)
            t = 0.0
            while t < seg:
                step = min((dash if on else gap) - pos, seg - t)
                if on:
                    a, b = t / seg, (t + step) / seg
                    self.line(
                        [
                            (x0 + (x1 - x0) * a, y0 + (y1 - y0) * a),
                            (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b),
                        ],
                        fill,
                        width,
                    )
                t += step
                pos += step
                if pos >= (dash if on else gap) - 1e-6:
                    pos, on = 0.0, not on

    def arc(
        self,
        box: tuple[float, float, float, float],
        start: float,
        end: float,
        fill: Colour,
        width: float = 2,
    ) -> None:
        self.draw.arc(sb(box), start, end, fill=fill, width=round(width * SS))

    # -- text
    def text_width(self, text: str, size: float, style: str = "sans-bold") -> float:
        return self.draw.textlength(text, font=font(size, style)) / SS

    def text(
        self,
        xy: Point,
        text: str,
        size: float,
        fill: Colour,
        style: str = "sans-bold",
        anchor: str = "mm",
    ) -> None:
        self.draw.text(
            (xy[0] * SS, xy[1] * SS), text, font=font(size, style), fill=fill, anchor=anchor
        )

    def tracked_text(
        self,
        cx: float,
        y: float,
        text: str,
        size: float,
        fill: Colour,
        tracking: float,
        style: str = "sans-bold",
    ) -> None:
        """Centred text with extra letter spacing."""
        widths = [self.text_width(ch, size, style) for ch in text]
        total = sum(widths) + tracking * (len(text) - 1)
        x = cx - total / 2
        for ch, w in zip(text, widths, strict=True):
            self.text((x, y), ch, size, fill, style, anchor="lm")
            x += w + tracking

    def fit_text(
        self, text: str, max_width: float, size: float, style: str, min_size: float = 12
    ) -> float:
        while size > min_size and self.text_width(text, size, style) > max_width:
            size -= 1
        return size

    def wrap(self, text: str, size: float, style: str, max_width: float) -> list[str]:
        lines: list[str] = []
        current = ""
        for word in text.split():
            trial = f"{current} {word}".strip()
            if current and self.text_width(trial, size, style) > max_width:
                lines.append(current)
                current = word
            else:
                current = trial
        if current:
            lines.append(current)
        return lines

    def finish(self) -> Image.Image:
        small = self.img.resize((SIZE, SIZE), Image.Resampling.LANCZOS)
        return small.quantize(
            colors=PALETTE_COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )


def pattern(base: Colour, stripes: list[tuple[str, Colour, float, float, float]]) -> Image.Image:
    """Full-size fill image: ``base`` with stripe sets (direction, ink, spacing, width, offset).

    direction is "h" (horizontal), "v" (vertical), "d" (diagonal) or "hex" (honeycomb).
    """
    img = Image.new("RGB", FULL, base)
    d = ImageDraw.Draw(img)
    for direction, ink, spacing, width, offset in stripes:
        if direction == "h":
            y = offset
            while y < SIZE:
                d.rectangle(sb((0, y, SIZE, y + width)), fill=ink)
                y += spacing
        elif direction == "v":
            x = offset
            while x < SIZE:
                d.rectangle(sb((x, 0, x + width, SIZE)), fill=ink)
                x += spacing
        elif direction == "d":
            k = -SIZE + offset
            while k < SIZE:
                d.line(sp([(k, 0), (k + SIZE, SIZE)]), fill=ink, width=round(width * SS))
                k += spacing
        elif direction == "hex":
            r = spacing
            dx, dy = r * math.sqrt(3), r * 1.5
            row = 0
            y = offset
            while y < SIZE + r:
                x = (dx / 2 if row % 2 else 0) + offset
                while x < SIZE + r:
                    hexagon = [ellipse_point(x, y, r, r, 30 + 60 * i) for i in range(7)]
                    d.line(sp(hexagon), fill=ink, width=round(width * SS))
                    x += dx
                y += dy
                row += 1
    return img


# --------------------------------------------------------------------------- context


@dataclass
class Ctx:
    product: dict
    value: str | None
    caption: str
    hue: float
    rng: random.Random
    colour: Colour
    metal: Metal
    tokens: set[str] = field(default_factory=set)
    bg: Colour = (240, 240, 240)

    @property
    def slug(self) -> str:
        return self.product["slug"]


def make_ctx(product: dict, index: int) -> Ctx:
    slug = product["slug"]
    tokens = set(slug.split("-"))
    values: list[str] = []
    for variant in product["variants"]:
        for key in ("colour", "metal"):
            val = variant["options"].get(key)
            if val and val not in values:
                values.append(val)
    value = values[index] if index < len(values) else (values[0] if values else None)
    seed = seed_of(f"{slug}:{index}")
    hue = (seed_of(slug) % 360) / 360
    colour = None
    if value and value.lower() in NAMED_COLOURS:
        colour = NAMED_COLOURS[value.lower()]
    if colour is None:
        colour = next((TOKEN_COLOURS[t] for t in slug.split("-") if t in TOKEN_COLOURS), None)
    if colour is None:
        colour = hls(hue, 0.5, 0.55)
    if value and value.lower() in METALS:
        metal = METALS[value.lower()]
    elif tokens & {"gold", "ember"}:
        metal = METALS["gold"]
    else:
        metal = METALS["silver"]
    caption = product["name"]
    if value and len(product["images"]) > 1:
        caption = f"{caption} \u00b7 {value}"
    return Ctx(
        product=product,
        value=value,
        caption=caption,
        hue=hue,
        rng=random.Random(seed),
        colour=colour,
        metal=metal,
        tokens=tokens,
    )


def light_backdrop(ctx: Ctx) -> Canvas:
    ctx.bg = hls(ctx.hue, 0.95, 0.35)
    cv = Canvas(ctx.bg)
    cv.ellipse((55, 30, 545, 520), fill=hls(ctx.hue, 0.91, 0.32))
    return cv


def dark_backdrop(ctx: Ctx) -> Canvas:
    ctx.bg = hls(ctx.hue, 0.2, 0.32)
    cv = Canvas(ctx.bg)
    cv.ellipse((45, 20, 555, 530), fill=hls(ctx.hue, 0.25, 0.3))
    return cv


def caption(cv: Canvas, ctx: Ctx, dark_bg: bool = False) -> None:
    colour = hls(ctx.hue, 0.88, 0.25) if dark_bg else hls(ctx.hue, 0.28, 0.25)
    size = cv.fit_text(ctx.caption, 540, 24, "sans-bold")
    cv.text((300, 568), ctx.caption, size, colour)


# --------------------------------------------------------------------------- motifs


def lighthouse(
    cv: Canvas,
    cx: float,
    base: float,
    h: float,
    beams: Layer | None = None,
    red: Colour = (198, 62, 52),
    white: Colour = (246, 240, 228),
) -> None:
    """A striped lighthouse; light beams are drawn only inside the ``beams`` layer."""
    dark = (58, 58, 72)
    top = base - 0.72 * h
    if beams is not None:
        ly = top - 0.08 * h
        rays = Layer()
        for sx in (-1, 1):
            rays.polygon(
                [(cx, ly), (cx + sx * 1.1 * h, ly - 0.28 * h), (cx + sx * 1.1 * h, ly + 0.1 * h)]
            )
        cv.stamp(rays.clip(beams), (255, 236, 160))
    tower = Layer().polygon(
        [(cx - 0.18 * h, base), (cx + 0.18 * h, base), (cx + 0.11 * h, top), (cx - 0.11 * h, top)]
    )
    band = 0.12 * h
    fill = pattern(white, [("h", red, 2 * band, band, (base - band) % (2 * band))])
    cv.stamp(tower, fill, outline=dark, width=max(1.0, h / 120))
    cv.rect((cx - 0.16 * h, top - 0.03 * h, cx + 0.16 * h, top + 0.01 * h), fill=dark)
    cv.rect(
        (cx - 0.08 * h, top - 0.15 * h, cx + 0.08 * h, top - 0.03 * h),
        fill=(255, 214, 110),
        outline=dark,
        width=max(1.0, h / 150),
    )
    cv.polygon(
        [(cx - 0.11 * h, top - 0.15 * h), (cx + 0.11 * h, top - 0.15 * h), (cx, top - 0.26 * h)],
        fill=red,
        outline=dark,
        width=max(1.0, h / 150),
    )
    cv.rect((cx - 0.04 * h, base - 0.2 * h, cx + 0.04 * h, base), fill=dark, radius=0.04 * h)


def faceted_gem(cv: Canvas, cx: float, cy: float, r: float, colour: Colour, sides: int = 8) -> None:
    outer = [ellipse_point(cx, cy, r, r, 360 * i / sides + 180 / sides) for i in range(sides)]
    inner = [
        ellipse_point(cx, cy, r * 0.55, r * 0.55, 360 * i / sides + 180 / sides)
        for i in range(sides)
    ]
    cv.polygon(outer, fill=colour, outline=shade(colour, 0.45), width=2)
    for i in range(sides):
        facet = [outer[i], outer[(i + 1) % sides], inner[(i + 1) % sides], inner[i]]
        t = 0.1 + 0.25 * ((i * 3) % sides) / sides
        cv.polygon(facet, fill=tint(colour, t) if i % 2 else shade(colour, t * 0.8))
    cv.polygon(inner, fill=tint(colour, 0.3), outline=shade(colour, 0.3), width=1)
    cv.polygon(
        [
            (cx - r * 0.45, cy - r * 0.2),
            (cx - r * 0.2, cy - r * 0.5),
            (cx - r * 0.05, cy - r * 0.4),
            (cx - r * 0.35, cy - r * 0.05),
        ],
        fill=tint(colour, 0.8),
    )


# --------------------------------------------------------------------------- books


def draw_book(ctx: Ctx) -> Canvas:
    match = ctx.product["description"].split("<strong>", 1)
    author = match[1].split("</strong>", 1)[0] if len(match) == 2 else "Anonymous"
    ctx.bg = (238, 234, 226)
    cv = Canvas(ctx.bg)
    cv.rect((0, 470, 600, 600), fill=(226, 218, 204))
    rng = ctx.rng
    cover = BOOK_COLOURS[seed_of(ctx.slug) % len(BOOK_COLOURS)]
    cover = mix(cover, (0, 0, 0) if rng.random() < 0.5 else (255, 255, 255), rng.random() * 0.15)
    h, _, _ = colorsys.rgb_to_hls(*(v / 255 for v in cover))
    accent = hls(h + 0.1 + rng.random() * 0.1, 0.8, 0.6)
    ink = (248, 242, 226)

    book = Layer().rect((125, 40, 475, 560), radius=6)
    cv.soft_shadow(book, (180, 172, 160), blur=10, offset=(10, 8))
    cv.stamp(book, cover)
    cv.rect((125, 40, 147, 560), fill=shade(cover, 0.25), radius=4)
    cv.line([(149, 42), (149, 558)], tint(cover, 0.15), 2)
    cv.rect((165, 66, 452, 534), outline=accent, width=2)
    cv.rect((171, 72, 446, 528), outline=shade(accent, 0.2), width=1)

    title = ctx.product["name"]
    size, lines = 48.0, [title]
    while size > 24:
        lines = cv.wrap(title, size, "serif-bold", 250)
        widest = max(cv.text_width(line, size, "serif-bold") for line in lines)
        if len(lines) <= 3 and widest <= 250:
            break
        size -= 2
    cx = 308.5
    line_h = size * 1.22
    y = 190 - line_h * (len(lines) - 1) / 2
    for line in lines:
        cv.text((cx, y), line, size, ink, "serif-bold")
        y += line_h

    ornament(cv, seed_of(ctx.slug) % 6, cx, 362, accent, cover)

    cv.line([(cx - 60, 468), (cx + 60, 468)], accent, 2)
    cv.circle(cx, 468, 4, fill=accent)
    asize = cv.fit_text(author.upper(), 230, 17, "sans-bold")
    cv.tracked_text(cx, 500, author.upper(), asize, ink, tracking=2.5)
    return cv


def ornament(cv: Canvas, kind: int, cx: float, cy: float, accent: Colour, cover: Colour) -> None:
    if kind == 0:  # sun
        for i in range(12):
            a = 360 * i / 12
            cv.line([ellipse_point(cx, cy, 46, 46, a), ellipse_point(cx, cy, 62, 62, a)], accent, 4)
        cv.circle(cx, cy, 34, fill=accent)
        cv.circle(cx, cy, 22, outline=cover, width=3)
    elif kind == 1:  # waves
        for i, y in enumerate((336, 360, 384)):
            cv.line(wave(cx - 80 + i * 6, cx + 80 - i * 6, y, 7, 40), accent, 4)
    elif kind == 2:  # sprig
        stem = quad_curve((cx - 10, cy + 60), (cx + 30, cy), (cx - 5, cy - 62))
        cv.line(stem, accent, 4)
        for i, (px, py) in enumerate(stem[3:-1:3]):
            side = -1 if i % 2 else 1
            cv.polygon(leaf(px + side * 20, py, 40, 16, -25 * side), fill=accent)
    elif kind == 3:  # stars
        cv.polygon(star(cx, cy, 40, 16), fill=accent)
        cv.polygon(star(cx - 70, cy + 14, 18, 7), fill=accent)
        cv.polygon(star(cx + 70, cy + 14, 18, 7), fill=accent)
    elif kind == 4:  # crescent moon and dots
        cv.circle(cx, cy, 44, fill=accent)
        cv.circle(cx + 20, cy - 12, 40, fill=cover)
        for i, (dx, dy) in enumerate(((-70, -30), (62, 34), (78, -40), (-60, 40))):
            cv.circle(cx + dx, cy + dy, 4 + i % 2 * 2, fill=accent)
    else:  # diamond rule
        cv.line([(cx - 110, cy), (cx - 26, cy)], accent, 3)
        cv.line([(cx + 26, cy), (cx + 110, cy)], accent, 3)
        cv.polygon([(cx, cy - 22), (cx + 18, cy), (cx, cy + 22), (cx - 18, cy)], fill=accent)
        cv.circle(cx - 118, cy, 5, fill=accent)
        cv.circle(cx + 118, cy, 5, fill=accent)


# --------------------------------------------------------------------------- clothes


def garment_shades(c: Colour) -> tuple[Colour, Colour]:
    """(outline, detail) colours that stay visible on light and dark garments."""
    outline = shade(c, 0.45) if luminance(c) > 0.35 else shade(c, 0.6)
    detail = shade(c, 0.18) if luminance(c) > 0.3 else tint(c, 0.15)
    return outline, detail


def draw_tee(ctx: Ctx) -> Canvas:
    cv = light_backdrop(ctx)
    c = ctx.colour
    outline, detail = garment_shades(c)
    long = "sleeve" in ctx.tokens
    if long:
        left = [(165, 130), (102, 236), (64, 466), (116, 478), (152, 318), (178, 250)]
    else:
        left = [(165, 130), (70, 215), (122, 272), (178, 232)]
    right = [(600 - x, y) for x, y in left]
    body = [
        (165, 130),
        (235, 100),
        (255, 128),
        (300, 142),
        (345, 128),
        (365, 100),
        (435, 130),
        (425, 505),
        (175, 505),
    ]
    fill: Colour | Image.Image = c
    if "seaside" in ctx.tokens:
        fill = pattern(c, [("h", tint(c, 0.75), 46, 16, 20)])
    for sleeve in (left, right):
        cv.stamp(Layer().polygon(sleeve), fill, outline=outline)
    cv.stamp(Layer().polygon(body), fill, outline=outline)
    # collar and hems
    cv.line([(235, 102), (255, 130), (300, 144), (345, 130), (365, 102)], outline, 3)
    cv.line([(240, 104), (258, 138), (300, 152), (342, 138), (360, 104)], detail, 5)
    cv.line([(178, 490), (422, 490)], detail, 3)
    if long:
        cv.line([(70, 448), (120, 460)], detail, 4)
        cv.line([(530, 448), (480, 460)], detail, 4)
    else:
        cv.line([(80, 224), (128, 262)], detail, 3)
        cv.line([(520, 224), (472, 262)], detail, 3)
    if "lighthouse" in ctx.tokens and "little" in ctx.tokens:
        cv.circle(300, 315, 92, fill=tint(c, 0.5) if luminance(c) < 0.85 else (212, 226, 236))
        lighthouse(cv, 300, 395, 160)
        cv.line(wave(220, 380, 398, 4, 30), (70, 110, 150), 5)
    elif "lights" in ctx.tokens:
        cv.circle(362, 205, 26, fill=tint(c, 0.2) if luminance(c) < 0.5 else shade(c, 0.1))
        lighthouse(cv, 362, 224, 44)
    elif "fog" in ctx.tokens:
        pocket = Layer().rect((330, 190, 392, 262), radius=4)
        cv.stamp(pocket, c, outline=outline, width=2)
        cv.dashed([(334, 200), (388, 200)], detail, 2, 6, 5)
    caption(cv, ctx)
    return cv


def draw_hoodie(ctx: Ctx) -> Canvas:
    cv = light_backdrop(ctx)
    c = ctx.colour
    outline, detail = garment_shades(c)
    rib = shade(c, 0.12)
    left = [(160, 150), (98, 250), (62, 456), (118, 468), (152, 320), (172, 262)]
    right = [(600 - x, y) for x, y in left]
    for sleeve in (left, right):
        cv.stamp(Layer().polygon(sleeve), c, outline=outline)
    cv.stamp(Layer().polygon([(62, 456), (118, 468), (113, 500), (56, 488)]), rib, outline)
    cv.stamp(Layer().polygon([(538, 456), (482, 468), (487, 500), (544, 488)]), rib, outline)
    hood = Layer().ellipse((210, 48, 390, 196))
    cv.stamp(hood, c, outline=outline)
    body = Layer().polygon(
        [(160, 150), (235, 128), (300, 176), (365, 128), (440, 150), (445, 470), (155, 470)]
    )
    cv.stamp(body, c, outline=outline)
    cv.stamp(Layer().ellipse((246, 84, 354, 178)).clip(hood), shade(c, 0.3))
    cv.stamp(Layer().rect((155, 466, 445, 506), radius=6), rib, outline=outline)
    for x in range(165, 440, 12):
        cv.line([(x, 472), (x, 500)], shade(rib, 0.1), 2)
    zip_up = "zip" in ctx.tokens
    if zip_up:
        cv.line([(300, 176), (300, 504)], outline, 4)
        cv.dashed([(300, 180), (300, 500)], tint(outline, 0.4), 2, 4, 4)
        cv.rect((292, 186, 308, 214), fill=(200, 200, 206), outline=outline, width=2, radius=3)
        for sx in (-1, 1):
            pocket = [
                (300 + sx * 18, 360),
                (300 + sx * 96, 360),
                (300 + sx * 112, 452),
                (300 + sx * 18, 452),
            ]
            cv.line([pocket[1], pocket[2]], outline, 4)
    else:
        pocket = Layer().polygon([(222, 352), (378, 352), (408, 452), (192, 452)])
        cv.stamp(pocket, c, outline=outline, width=3)
        cv.line([(226, 360), (198, 446)], detail, 3)
        cv.line([(374, 360), (402, 446)], detail, 3)
    for sx in (-1, 1):
        x = 300 + sx * 24
        cv.line([(x, 170), (x + sx * 4, 262)], (236, 232, 222), 5)
        cv.circle(x + sx * 4, 266, 6, fill=(236, 232, 222), outline=outline, width=1)
    caption(cv, ctx)
    return cv


def fringe(cv: Canvas, a: Point, b: Point, colour: Colour, length: float = 24) -> None:
    n = 9
    for i in range(n + 1):
        x = a[0] + (b[0] - a[0]) * i / n
        y = a[1] + (b[1] - a[1]) * i / n
        cv.line([(x, y), (x + 1, y + length)], colour, 4)


def draw_scarf(ctx: Ctx) -> Canvas:
    cv = light_backdrop(ctx)
    c = ctx.colour
    outline, detail = garment_shades(c)
    if "check" in ctx.tokens:
        fill = pattern(
            c,
            [
                ("h", shade(c, 0.25), 48, 14, 6),
                ("v", shade(c, 0.25), 48, 14, 6),
                ("h", (246, 236, 214), 48, 3, 30),
                ("v", (246, 236, 214), 48, 3, 30),
            ],
        )
    else:
        fill = pattern(c, [("v", detail, 11, 3, 0)])
    back_end = [(318, 230), (384, 220), (404, 468), (338, 478)]
    front_end = [(222, 226), (296, 232), (288, 500), (212, 494)]
    cv.stamp(Layer().polygon(back_end), fill, outline=outline)
    fringe(cv, (340, 478), (402, 469), outline)
    loop = Layer().ellipse((160, 82, 440, 292)).ellipse((214, 124, 386, 240), erase=True)
    cv.stamp(loop, fill, outline=outline)
    cv.arc((178, 98, 422, 276), 200, 330, tint(c, 0.25), 4)
    cv.stamp(Layer().polygon(front_end), fill, outline=outline)
    fringe(cv, (214, 494), (286, 500), outline)
    cv.line([(226, 470), (288, 474)], outline, 2)
    caption(cv, ctx)
    return cv


def draw_socks(ctx: Ctx) -> Canvas:
    cv = light_backdrop(ctx)
    c = ctx.colour
    striped = "striped" in ctx.tokens
    for dx, dy, col in ((70, -10, shade(c, 0.12)), (-40, 50, c)):
        outline, detail = garment_shades(col)
        sock = (
            Layer()
            .rect((150 + dx, 110 + dy, 255 + dx, 400 + dy), radius=10)
            .rect((150 + dx, 318 + dy, 400 + dx, 430 + dy), radius=56)
        )
        if striped:
            fill: Colour | Image.Image = pattern(
                col, [("h", (246, 238, 220), 36, 14, (130 + dy) % 36)]
            )
        else:
            fill = pattern(col, [("v", detail, 10, 2, dx % 10)])
        cv.stamp(sock, fill, outline=outline)
        patch = shade(col, 0.3) if not striped else (58, 78, 128)
        heel = Layer().circle(165 + dx, 425 + dy, 62).clip(sock)
        toe = Layer().ellipse((338 + dx, 300 + dy, 450 + dx, 450 + dy)).clip(sock)
        cv.stamp(heel, patch)
        cv.stamp(toe, patch)
        cuff = Layer().rect((144 + dx, 98 + dy, 261 + dx, 162 + dy), radius=8)
        cuff_fill = pattern(patch, [("v", shade(patch, 0.25), 12, 4, 0)])
        cv.stamp(cuff, cuff_fill, outline=outline)
    caption(cv, ctx)
    return cv


def draw_beanie(ctx: Ctx) -> Canvas:
    cv = light_backdrop(ctx)
    c = ctx.colour
    outline, detail = garment_shades(c)
    pom = Layer().circle(300, 140, 52)
    cv.stamp(pom, pattern(tint(c, 0.15), [("d", c, 12, 3, 0)]), outline=outline)
    dome = Layer().ellipse((160, 150, 440, 500)).rect((0, 330, 600, 600), erase=True)
    cv.stamp(dome, pattern(c, [("v", detail, 18, 5, 8)]), outline=outline)
    cuff = Layer().rect((146, 300, 454, 430), radius=24)
    cv.stamp(cuff, pattern(shade(c, 0.06), [("v", shade(c, 0.22), 14, 6, 3)]), outline=outline)
    cv.rect((270, 340, 330, 390), fill=(246, 240, 226), outline=outline, width=2, radius=4)
    cv.circle(300, 365, 10, fill=c)
    caption(cv, ctx)
    return cv


# --------------------------------------------------------------------------- jewelry


def draw_ring(ctx: Ctx) -> Canvas:
    cv = dark_backdrop(ctx)
    m = ctx.metal
    t = ctx.tokens
    thin = "stacking" in t or "star" in t
    inset = 18 if thin else 30
    cv.soft_shadow(Layer().ellipse((170, 470, 430, 510)), shade(ctx.bg, 0.35), blur=12)
    if "vine" in t:
        for phase, col in ((0.0, m.base), (math.pi, tint(m.base, 0.2))):
            pts = []
            for i in range(181):
                a = 2 * i
                off = 11 * math.sin(math.radians(a) * 7 + phase)
                pts.append(ellipse_point(300, 350, 118 + off, 118 + off, a))
            strand = Layer().line(pts, 13)
            cv.stamp(strand, col, outline=m.dark, width=2)
        for deg, tilt in ((-112, -40), (-68, 40), (-90, 0)):
            px, py = ellipse_point(300, 350, 150, 150, deg)
            shape = leaf(px, py, 58, 26, deg + tilt)
            cv.polygon(shape, fill=m.light, outline=m.dark, width=2)
            cv.line([shape[0], shape[24]], m.dark, 2)
    else:
        back = (
            Layer()
            .ellipse((165, 229, 435, 499))
            .ellipse((165 + inset, 229 + inset, 435 - inset, 499 - inset), erase=True)
        )
        cv.stamp(back, m.dark)
        band = (
            Layer()
            .ellipse((165, 215, 435, 485))
            .ellipse((165 + inset, 215 + inset, 435 - inset, 485 - inset), erase=True)
        )
        cv.stamp(band, m.base, outline=m.dark, width=2)
        cv.arc((172, 222, 428, 478), 150, 250, m.light, 5)
        cv.arc((172, 222, 428, 478), 20, 60, tint(m.base, 0.5), 3)
    if "star" in t:
        cv.polygon(star(300, 212, 46, 19), fill=m.base, outline=m.dark, width=2)
        cv.polygon(star(300, 212, 30, 12), fill=m.light)
        cv.circle(300, 212, 8, fill=(250, 250, 255), outline=m.dark, width=1)
    elif "halo" in t:
        for i in range(18):
            bx, by = ellipse_point(300, 198, 50, 60, 20 * i)
            cv.circle(bx, by, 8, fill=m.base, outline=m.dark, width=1)
            cv.circle(bx - 2, by - 2, 3, fill=m.light)
        cv.ellipse((262, 152, 338, 244), fill=(208, 220, 238), outline=m.dark, width=2)
        cv.ellipse((274, 164, 326, 224), fill=(232, 238, 248))
        cv.arc((270, 160, 330, 236), 200, 290, (150, 186, 232), 6)
        cv.ellipse((284, 170, 300, 190), fill=(255, 255, 255))
    elif "vine" not in t:
        gem = (178, 26, 42) if "ember" in t else (196, 232, 242)
        r = 46 if "ember" in t else 38
        cv.polygon(
            [
                (300 - r * 0.7, 220),
                (300 + r * 0.7, 220),
                (300 + r * 0.35, 250),
                (300 - r * 0.35, 250),
            ],
            fill=m.base,
            outline=m.dark,
            width=2,
        )
        for deg in (45, 135, 225, 315):
            px, py = ellipse_point(300, 200 - r * 0.2, r * 0.95, r * 0.95, deg)
            cv.circle(px, py, 7, fill=m.base, outline=m.dark, width=1)
        faceted_gem(cv, 300, 200 - r * 0.2, r, gem)
    caption(cv, ctx, dark_bg=True)
    return cv


def draw_necklace(ctx: Ctx) -> Canvas:
    cv = dark_backdrop(ctx)
    m = ctx.metal
    t = ctx.tokens
    for i in range(0, 101):
        deg = -12 + 204 * i / 100
        x, y = ellipse_point(300, 80, 205, 300, deg)
        if i % 2:
            cv.ellipse((x - 6, y - 3.5, x + 6, y + 3.5), outline=m.base, width=2)
        else:
            cv.ellipse((x - 3.5, y - 6, x + 3.5, y + 6), outline=m.light, width=2)
    cv.circle(300, 392, 10, outline=m.base, width=4)
    if "compass" in t:
        cx, cy = 300, 470
        cv.circle(cx, cy, 68, fill=m.base, outline=m.dark, width=2)
        cv.circle(cx, cy, 56, outline=m.dark, width=2)
        cv.polygon(star(cx, cy, 50, 12, 8, -90), fill=m.dark)
        cv.polygon(star(cx, cy, 48, 10, 4, -90), fill=m.light, outline=m.dark, width=1)
        cv.circle(cx, cy, 5, fill=m.dark)
        cv.text((cx, cy - 62), "N", 11, m.dark)
        cv.line([(cx, 400), (cx, 404)], m.base, 4)
    elif "leaf" in t:
        shape = leaf(300, 476, 150, 60, 98)
        cv.polygon(shape, fill=m.base, outline=m.dark, width=2)
        top, bottom = (
            (300 + 75 * math.cos(math.radians(98)) * -1, 476 - 75 * math.sin(math.radians(98))),
            (300 + 75 * math.cos(math.radians(98)), 476 + 75 * math.sin(math.radians(98))),
        )
        cv.line([top, bottom], m.dark, 3)
        for k in range(1, 5):
            f = k / 5
            px = top[0] + (bottom[0] - top[0]) * f
            py = top[1] + (bottom[1] - top[1]) * f
            cv.line([(px, py), (px - 20, py - 14)], m.dark, 2)
            cv.line([(px, py), (px + 20, py - 18)], m.dark, 2)
        cv.line([(300, 400), (top[0], top[1] + 2)], m.base, 4)
    else:
        cv.polygon(teardrop(300, 400, 84, 150), fill=m.base, outline=m.dark, width=2)
        cv.polygon(teardrop(300, 420, 60, 118), fill=(196, 230, 244))
        cv.polygon(teardrop(300, 440, 34, 80), fill=(226, 244, 252))
        cv.ellipse((278, 486, 292, 510), fill=(255, 255, 255))
    caption(cv, ctx, dark_bg=True)
    return cv


def ear_hook(cv: Canvas, cx: float, m: Metal) -> None:
    pts = [(cx, 166), (cx, 122)]
    for i in range(19):
        pts.append(ellipse_point(cx + 22, 122, 22, 24, 180 + 10 * i))
    pts.append((cx + 44, 150))
    cv.line(pts, m.dark, 7)
    cv.line(pts, m.light, 4)
    cv.circle(cx, 170, 8, outline=m.base, width=4)


def draw_earrings(ctx: Ctx) -> Canvas:
    cv = dark_backdrop(ctx)
    m = ctx.metal
    t = ctx.tokens
    for side, cx in ((-1, 200), (1, 400)):
        ear_hook(cv, cx, m)
        if "crescent" in t or "hoop" in t:
            moon = Layer().circle(cx, 262, 86).circle(cx - side * 20, 246, 74, erase=True)
            cv.stamp(moon, m.base, outline=m.dark, width=2)
            cv.arc(
                (cx - 80, 182, cx + 80, 342),
                90 if side > 0 else 20,
                160 if side > 0 else 90,
                m.light,
                4,
            )
        elif "seaglass" in t or "glass" in t:
            rng = random.Random(seed_of(ctx.slug) + side)
            pts = []
            for i in range(24):
                r = 1 + rng.uniform(-0.08, 0.08)
                pts.append(ellipse_point(cx, 270, 48 * r, 76 * r, 15 * i))
            glass = (112, 190, 160)
            cv.polygon(pts, fill=glass, outline=shade(glass, 0.35), width=2)
            cv.ellipse((cx - 30, 220, cx + 18, 320), fill=tint(glass, 0.25))
            cv.ellipse((cx - 22, 226, cx - 6, 262), fill=tint(glass, 0.7))
            cv.rect((cx - 12, 176, cx + 12, 200), fill=m.base, outline=m.dark, width=2, radius=3)
        else:
            cv.polygon(teardrop(cx, 176, 70, 150), fill=m.base, outline=m.dark, width=2)
            cv.polygon(teardrop(cx, 206, 40, 100), fill=tint(m.base, 0.45))
            cv.ellipse((cx - 20, 262, cx - 8, 286), fill=m.light)
    caption(cv, ctx, dark_bg=True)
    return cv


def draw_bracelet(ctx: Ctx) -> Canvas:
    cv = dark_backdrop(ctx)
    rng = ctx.rng
    palette = [
        hls(ctx.hue + 0.5 + rng.uniform(-0.12, 0.12), rng.uniform(0.5, 0.75), rng.uniform(0.5, 0.8))
        for _ in range(4)
    ]
    n = 26
    beads = [
        (ellipse_point(300, 300, 185, 110, 360 * i / n), palette[i % 4], 360 * i / n)
        for i in range(n)
    ]
    back = [b for b in beads if math.sin(math.radians(b[2])) < 0]
    front = [b for b in beads if math.sin(math.radians(b[2])) >= 0]
    for (x, y), col, _ in back:
        cv.circle(x, y, 17, fill=shade(col, 0.35), outline=shade(col, 0.6), width=1)
    cv.ellipse((115, 190, 485, 410), outline=(210, 196, 170), width=3)
    for (x, y), col, _ in sorted(front, key=lambda b: b[0][1]):
        cv.circle(x, y, 22, fill=col, outline=shade(col, 0.45), width=2)
        cv.circle(x - 7, y - 7, 6, fill=tint(col, 0.6))
    cv.rect((282, 396, 318, 432), fill=ctx.metal.base, outline=ctx.metal.dark, width=2, radius=6)
    for dx in (-10, 10):
        cv.line([(300 + dx, 432), (300 + dx * 2.5, 482)], (210, 196, 170), 3)
        cv.circle(300 + dx * 2.5, 486, 6, fill=palette[0])
    caption(cv, ctx, dark_bg=True)
    return cv


# --------------------------------------------------------------------------- home


def draw_mug(ctx: Ctx) -> Canvas:
    cv = light_backdrop(ctx)
    c = ctx.colour
    outline = shade(c, 0.5)
    cv.soft_shadow(Layer().ellipse((160, 452, 420, 500)), shade(ctx.bg, 0.18), blur=8)
    steam = shade(ctx.bg, 0.14)
    for x in (238, 282, 326):
        pts = [(x + 8 * math.sin(i / 3), 150 - i * 6) for i in range(14)]
        cv.line(pts, steam, 5)
    handle = Layer().ellipse((350, 240, 470, 400)).ellipse((378, 270, 442, 370), erase=True)
    cv.stamp(handle, c, outline=outline)
    body = Layer().rect((170, 180, 390, 470), radius=28)
    cv.stamp(body, c, outline=outline)
    drip_pts = wave(170, 390, 400, 9, 55) + [(390, 480), (170, 480)]
    cv.stamp(Layer().polygon(drip_pts).clip(body), shade(c, 0.15))
    cv.stamp(Layer().rect((0, 444, 600, 480)).clip(body), (226, 208, 176))
    cv.line([(186, 200), (186, 380)], tint(c, 0.35), 6)
    cv.ellipse((170, 160, 390, 204), fill=tint(c, 0.2), outline=outline, width=3)
    cv.ellipse((184, 168, 376, 198), fill=(104, 66, 42))
    cv.ellipse((250, 174, 320, 188), fill=(150, 102, 66))
    caption(cv, ctx)
    return cv


def draw_candle(ctx: Ctx) -> Canvas:
    cv = light_backdrop(ctx)
    c = ctx.colour
    outline = shade(c, 0.45)
    cv.soft_shadow(Layer().ellipse((190, 490, 410, 530)), shade(ctx.bg, 0.2), blur=8)
    for r, t in ((110, 0.55), (78, 0.7), (50, 0.85)):
        cv.circle(300, 130, r, fill=mix(ctx.bg, (255, 236, 170), t))
    body = Layer().rect((215, 210, 385, 500)).ellipse((215, 482, 385, 518))
    cv.stamp(body, pattern(c, [("hex", shade(c, 0.1), 14, 2, 0)]), outline=outline)
    cv.stamp(Layer().rect((215, 210, 240, 500)).clip(body), tint(c, 0.18))
    cv.ellipse((215, 192, 385, 228), fill=tint(c, 0.3), outline=outline, width=3)
    cv.ellipse((280, 202, 320, 216), fill=shade(c, 0.12))
    cv.line([(300, 210), (302, 168)], (50, 40, 36), 4)
    cv.polygon(teardrop(300, 86, 44, 88), fill=(250, 150, 48))
    cv.polygon(teardrop(300, 112, 24, 58), fill=(255, 226, 120))
    caption(cv, ctx)
    return cv


def sprig(cv: Canvas, x: float, kind: int, green: Colour) -> None:
    stem = quad_curve((x, 430), (x + 22, 330), (x - 6, 220))
    cv.line(stem, shade(green, 0.3), 4)
    for i, (px, py) in enumerate(stem[2:]):
        side = 1 if i % 2 else -1
        if kind == 0:  # rosemary needles
            cv.line([(px, py), (px + side * 26, py - 16)], green, 5)
        elif kind == 1:  # thyme
            cv.circle(px + side * 12, py, 7, fill=tint(green, 0.15))
        else:  # sage leaves
            cv.polygon(leaf(px + side * 22, py, 46, 20, -25 * side), fill=tint(green, 0.3))


def draw_towel(ctx: Ctx) -> Canvas:
    cv = light_backdrop(ctx)
    base = (247, 243, 232)
    stripe = hls(ctx.hue + 0.3, 0.42, 0.35)
    cv.line([(110, 104), (490, 104)], (128, 88, 58), 12)
    cv.circle(104, 104, 12, fill=(108, 72, 46))
    cv.circle(496, 104, 12, fill=(108, 72, 46))
    towel = Layer().rect((170, 112, 430, 525), radius=4)
    cv.soft_shadow(towel, shade(ctx.bg, 0.15), blur=8, offset=(6, 6))
    fill = pattern(base, [("d", (238, 232, 218), 8, 1, 0)])
    cv.stamp(towel, fill, outline=(200, 192, 176), width=2)
    for y0, y1 in ((142, 154), (164, 170), (470, 482), (492, 498)):
        cv.rect((170, y0, 430, y1), fill=stripe)
    cv.ellipse((286, 84, 314, 122), outline=stripe, width=4)
    for i, x in enumerate((232, 300, 368)):
        sprig(cv, x, i, hls(ctx.hue + 0.25 + i * 0.04, 0.38, 0.4))
    cv.dashed([(178, 120), (178, 518)], (214, 206, 190), 2, 8, 6)
    cv.dashed([(422, 120), (422, 518)], (214, 206, 190), 2, 8, 6)
    caption(cv, ctx)
    return cv


def draw_cushion(ctx: Ctx) -> Canvas:
    cv = light_backdrop(ctx)
    c = ctx.colour
    outline = shade(c, 0.45)
    corners = [(130, 130), (470, 130), (470, 470), (130, 470)]
    pts: list[Point] = []
    for i in range(4):
        a, b = corners[i], corners[(i + 1) % 4]
        mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
        ctrl = (mx + (300 - mx) * 0.12, my + (300 - my) * 0.12)
        pts += quad_curve(a, ctrl, b)[:-1]
    shape = Layer().polygon(pts)
    cv.soft_shadow(shape, shade(ctx.bg, 0.18), blur=10, offset=(6, 10))
    cv.stamp(
        shape,
        pattern(c, [("h", shade(c, 0.06), 6, 1, 0), ("v", tint(c, 0.06), 6, 1, 3)]),
        outline=outline,
        width=4,
    )
    inner = [(300 + (x - 300) * 0.86, 300 + (y - 300) * 0.86) for x, y in pts]
    cv.dashed(inner + inner[:1], tint(c, 0.4), 2, 9, 6)
    petal = tint(c, 0.7)
    for k in range(6):
        a = 60 * k
        px, py = ellipse_point(300, 300, 46, 46, a)
        cv.polygon(leaf(px, py, 86, 44, a), fill=petal, outline=shade(c, 0.2), width=2)
    for k in range(4):
        a = 45 + 90 * k
        px, py = ellipse_point(300, 300, 112, 112, a)
        cv.polygon(leaf(px, py, 56, 22, a), fill=shade(c, 0.25))
    cv.circle(
        300,
        300,
        22,
        fill=(222, 170, 60) if ctx.value != "Mustard" else (246, 240, 226),
        outline=shade(c, 0.3),
        width=2,
    )
    caption(cv, ctx)
    return cv


# --------------------------------------------------------------------------- accessories


def draw_tote(ctx: Ctx) -> Canvas:
    cv = light_backdrop(ctx)
    canvas_col = TOKEN_COLOURS["canvas"]
    outline = shade(canvas_col, 0.45)
    strap = shade(canvas_col, 0.12)
    cv.arc((226, 90, 374, 330), 180, 360, shade(strap, 0.2), 20)
    bag = Layer().polygon([(160, 225), (440, 225), (458, 520), (142, 520)])
    cv.soft_shadow(bag, shade(ctx.bg, 0.15), blur=8, offset=(6, 8))
    cv.stamp(
        bag,
        pattern(
            canvas_col,
            [("h", shade(canvas_col, 0.04), 5, 1, 0), ("v", tint(canvas_col, 0.2), 5, 1, 2)],
        ),
        outline=outline,
        width=3,
    )
    cv.stamp(Layer().rect((0, 225, 600, 256)).clip(bag), shade(canvas_col, 0.07))
    cv.dashed([(164, 262), (436, 262)], outline, 2, 8, 6)
    front = Layer().arc((214, 110, 386, 350), 180, 360, 20)
    cv.stamp(front, strap, outline=outline, width=2)
    for x in (214, 386):
        cv.rect((x - 14, 228, x + 14, 290), fill=strap, outline=outline, width=2)
        cv.line([(x - 8, 282), (x + 8, 240)], outline, 2)
    ink = hls(ctx.hue, 0.36, 0.45)
    cv.circle(300, 390, 82, outline=ink, width=4)
    for k in range(5):
        a = -90 + (k - 2) * 28
        px, py = ellipse_point(300, 430, 60, 60, a)
        cv.polygon(leaf(px, py, 40, 14, a), fill=ink)
    cv.text((300, 420), "market days", 24, ink, "serif-italic")
    caption(cv, ctx)
    return cv


def draw_bookmark(ctx: Ctx) -> Canvas:
    cv = light_backdrop(ctx)
    c = ctx.colour
    outline = shade(c, 0.45)
    shape = [(248, 70), (352, 70), (352, 510), (300, 466), (248, 510)]
    layer = Layer().polygon(shape)
    cv.soft_shadow(layer, shade(ctx.bg, 0.2), blur=8, offset=(8, 8))
    cv.stamp(layer, pattern(c, [("d", shade(c, 0.05), 7, 2, 0)]), outline=outline, width=3)
    inset = [(260, 82), (340, 82), (340, 486), (300, 452), (260, 486), (260, 82)]
    cv.dashed(inset, tint(c, 0.45), 2, 8, 6)
    cv.polygon(star(300, 180, 22, 9), fill=shade(c, 0.2))
    cv.polygon(leaf(300, 262, 58, 22, 90), fill=shade(c, 0.2))
    cv.line([(300, 236), (300, 290)], c, 2)
    cv.circle(300, 104, 9, fill=ctx.bg, outline=outline, width=2)
    cord = hls(ctx.hue + 0.5, 0.45, 0.5)
    cv.line(quad_curve((300, 104), (360, 10), (420, 110)), cord, 4)
    cv.circle(420, 114, 9, fill=cord)
    for dx in range(-12, 13, 4):
        cv.line([(420, 120), (420 + dx, 196)], cord, 3)
    caption(cv, ctx)
    return cv


def draw_umbrella(ctx: Ctx) -> Canvas:
    cv = light_backdrop(ctx)
    c = hls(ctx.hue, 0.52, 0.62)
    outline = shade(c, 0.45)
    panels = 6
    canopy = Layer().ellipse((100, 130, 500, 430)).rect((0, 282, 600, 600), erase=True)
    for i in range(panels):
        x0 = 100 + 400 * i / panels
        x1 = 100 + 400 * (i + 1) / panels
        canopy.ellipse((x0, 262, x1, 302), erase=True)
    cv.stamp(canopy, c, outline=outline, width=3)
    for i in range(panels):
        x0 = 100 + 400 * i / panels
        x1 = 100 + 400 * (i + 1) / panels
        if i % 2:
            panel = Layer().polygon([(300, 130), (x0, 282), (x1, 282)]).clip(canopy)
            cv.stamp(panel, tint(c, 0.4))
    for i in range(1, panels):
        cv.line([(300, 130), (100 + 400 * i / panels, 282)], outline, 2)
    cv.line([(300, 130), (300, 100)], (70, 70, 76), 6)
    cv.line([(300, 276), (300, 470)], (70, 70, 76), 8)
    cv.arc((300, 440, 360, 500), 0, 180, (130, 86, 52), 13)
    caption(cv, ctx)
    return cv


def draw_pin(ctx: Ctx) -> Canvas:
    cv = light_backdrop(ctx)
    rim = METALS["gold"]
    badge = Layer().circle(300, 285, 168)
    cv.soft_shadow(badge, shade(ctx.bg, 0.2), blur=10, offset=(8, 10))
    cv.stamp(badge, rim.base, outline=rim.dark, width=2)
    sky_top, sky_bottom = (72, 60, 132), (246, 156, 96)
    face = Layer().circle(300, 285, 152)
    sky = Image.new("RGB", FULL, sky_top)
    sky_draw = ImageDraw.Draw(sky)
    bands = 7
    for i in range(bands):
        y0 = 133 + 260 * i / bands
        sky_draw.rectangle(sb((0, y0, 600, 600)), fill=mix(sky_top, sky_bottom, i / (bands - 1)))
    cv.stamp(face, sky)
    for sx, sy in ((200, 200), (236, 170), (380, 188), (412, 230), (340, 160)):
        cv.circle(sx, sy, 3, fill=(255, 246, 214))
    lighthouse(cv, 300, 372, 210, beams=face)
    sea = Layer().polygon(wave(130, 470, 372, 6, 48) + [(470, 460), (130, 460)]).clip(face)
    cv.stamp(sea, (40, 70, 120))
    cv.line(wave(180, 420, 400, 4, 36), (96, 140, 190), 4)
    cv.circle(300, 285, 152, outline=rim.dark, width=3)
    cv.arc((140, 125, 460, 445), 200, 260, rim.light, 5)
    caption(cv, ctx)
    return cv


# --------------------------------------------------------------------------- fallback


def draw_generic(ctx: Ctx) -> Canvas:
    cv = light_backdrop(ctx)
    c = ctx.colour
    cv.rect((150, 110, 450, 410), fill=c, outline=shade(c, 0.4), width=3, radius=36)
    initials = "".join(w[0] for w in ctx.product["name"].split()[:3]).upper()
    cv.text((300, 260), initials, 110, tint(c, 0.85), "serif-bold")
    caption(cv, ctx)
    return cv


DRAWERS = [
    ("hoodie", draw_hoodie),
    ("tee", draw_tee),
    ("scarf", draw_scarf),
    ("socks", draw_socks),
    ("beanie", draw_beanie),
    ("earrings", draw_earrings),
    ("ring", draw_ring),
    ("necklace", draw_necklace),
    ("pendant", draw_necklace),
    ("bracelet", draw_bracelet),
    ("mug", draw_mug),
    ("candle", draw_candle),
    ("towel", draw_towel),
    ("cushion", draw_cushion),
    ("tote", draw_tote),
    ("bookmark", draw_bookmark),
    ("umbrella", draw_umbrella),
    ("pin", draw_pin),
]


def drawer_for(product: dict):
    if product["category"] == "books":
        return draw_book
    tokens = set(product["slug"].split("-"))
    for token, func in DRAWERS:
        if token in tokens:
            return func
    return draw_generic


# --------------------------------------------------------------------------- main


def render_product(product: dict) -> list[Path]:
    written = []
    for index, rel in enumerate(product["images"]):
        ctx = make_ctx(product, index)
        image = drawer_for(product)(ctx).finish()
        out = IMAGE_DIR / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        image.save(out, optimize=True)
        written.append(out)
    return written


def check(catalog: dict) -> list[str]:
    """Return a list of problems with the catalog and its images (empty when all is well)."""
    problems = []
    cat_slugs = [c["slug"] for c in catalog["categories"]]
    if len(set(cat_slugs)) != len(cat_slugs):
        problems.append("duplicate category slugs")
    slugs, skus = set(), set()
    for p in catalog["products"]:
        if p["slug"] in slugs:
            problems.append(f"duplicate product slug {p['slug']}")
        slugs.add(p["slug"])
        if p["category"] not in cat_slugs:
            problems.append(f"{p['slug']}: unknown category {p['category']}")
        if not p["variants"]:
            problems.append(f"{p['slug']}: no variants")
        if not p["images"]:
            problems.append(f"{p['slug']}: no images")
        for rel in p["images"]:
            if not (IMAGE_DIR / rel).is_file():
                problems.append(f"{p['slug']}: missing image {rel}")
        for v in p["variants"]:
            if v["sku"] in skus:
                problems.append(f"duplicate sku {v['sku']}")
            skus.add(v["sku"])
    return problems


def main(argv: list[str]) -> int:
    catalog = json.loads(CATALOG.read_text(encoding="utf-8"))
    only_check = "--check" in argv
    wanted = {a for a in argv if not a.startswith("-")}
    if not only_check:
        for product in catalog["products"]:
            if wanted and product["slug"] not in wanted:
                continue
            for path in render_product(product):
                print(f"wrote {path.relative_to(SEEDS)} ({path.stat().st_size // 1024} KB)")
    problems = check(catalog)
    for problem in problems:
        print("PROBLEM:", problem, file=sys.stderr)
    images = [IMAGE_DIR / rel for p in catalog["products"] for rel in p["images"]]
    total = sum(p.stat().st_size for p in images if p.is_file())
    variants = sum(len(p["variants"]) for p in catalog["products"])
    print(
        f"{len(catalog['categories'])} categories, {len(catalog['products'])} products, "
        f"{variants} variants, {len(images)} images ({total / 1024:.0f} KB total)"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
