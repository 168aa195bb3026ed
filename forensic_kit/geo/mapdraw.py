"""The route page: located items on an offline basemap, joined in time order per exhibit.

One layout in page units (A4 landscape, points, origin top left) drawn by two backends: Pillow
for PNG (``scale`` pixels per unit) and reportlab for PDF (vector). The map is an equirectangular
projection whose longitude scale is the cosine of the middle latitude, so distances are true
along that parallel and the scale bar is measured there. Pixel positions are therefore exact and
testable: :meth:`Frame.xy` gives where a longitude/latitude lands.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from forensic_kit.geo import basemap
from forensic_kit.geo.basemap import BBox
from forensic_kit.geo.points import Point, routes
from forensic_kit.timeline.chart import PALETTE

PAGE_W, PAGE_H = 842.0, 595.0  # A4 landscape, points
MAP_X, MAP_Y, MAP_W, MAP_H = 36.0, 54.0, 560.0, 490.0
SEA, LAND, LAKE, BORDER, GRID, INK = (214, 232, 244), (241, 236, 222), (214, 232, 244), (150, 130, 130), (170, 180, 190), (20, 20, 20)
EARTH_KM_PER_DEG = 111.195  # mean Earth radius 6371.0 km


@dataclass(frozen=True)
class Frame:
    """Where the box sits on the page: the map rectangle (page units) and the box it shows."""

    box: BBox
    x: float = MAP_X
    y: float = MAP_Y
    w: float = MAP_W
    h: float = MAP_H

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        """Page position (origin top left) of a longitude/latitude."""
        b = self.box
        return (self.x + (lon - b.west) / (b.east - b.west) * self.w,
                self.y + (b.north - lat) / (b.north - b.south) * self.h)


def fit(points: Sequence[Point], w: float = MAP_W, h: float = MAP_H, pad: float = 0.12, min_span: float = 1.0) -> BBox:
    """The box around ``points`` (padded), widened so that its projected shape fills ``w`` × ``h``."""
    lats = [p.lat for p in points] or [0.0]
    lons = [p.lon for p in points] or [0.0]
    south, north, west, east = min(lats), max(lats), min(lons), max(lons)
    mid = (south + north) / 2
    k = max(math.cos(math.radians(mid)), 0.05)
    lat_span = max(north - south, min_span) * (1 + 2 * pad)
    lon_span = max(east - west, min_span / k) * (1 + 2 * pad)
    # projected width : height must be w : h (lon degrees shrink by k)
    if lon_span * k / lat_span < w / h:
        lon_span = lat_span * (w / h) / k
    else:
        lat_span = lon_span * k / (w / h)
    cx = (west + east) / 2
    south, north = mid - lat_span / 2, mid + lat_span / 2
    if south < -85:
        south, north = -85.0, -85.0 + lat_span
    if north > 85:
        south, north = 85.0 - lat_span, 85.0
    west, east = cx - lon_span / 2, cx + lon_span / 2
    if west < -180:
        west, east = -180.0, -180.0 + lon_span
    if east > 180:
        west, east = 180.0 - lon_span, 180.0
    return BBox(west, south, east, north)


def colour(i: int) -> tuple[int, int, int]:
    """The colour of the i-th exhibit (the timeline chart's palette)."""
    return PALETTE[i % len(PALETTE)]


class Canvas(Protocol):
    """What the page is drawn with (page units, origin top left)."""

    def polygon(self, pts: Sequence[tuple[float, float]], fill: tuple[int, int, int]) -> None: ...
    def line(self, pts: Sequence[tuple[float, float]], ink: tuple[int, int, int], width: float,
             dash: bool = False) -> None: ...
    def dot(self, x: float, y: float, r: float, fill: tuple[int, int, int] | None, ink: tuple[int, int, int]) -> None: ...
    def text(self, x: float, y: float, s: str, size: float, ink: tuple[int, int, int] = INK,
             bold: bool = False) -> None: ...
    def rect(self, x: float, y: float, w: float, h: float, fill: tuple[int, int, int] | None,
             ink: tuple[int, int, int] | None) -> None: ...
    def clip(self, on: bool) -> None: ...


def _step(span: float) -> float:
    for s in (0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 15, 20, 30):
        if span / s <= 8:
            return s
    return 45.0


def _deg(v: float, pos: str, neg: str, step: float) -> str:
    digits = 0 if step >= 1 else (1 if step >= 0.1 else 2)
    return f"{abs(v):.{digits}f}°{pos if v >= 0 else neg}"


def _ranges(numbers: list[int]) -> str:
    """``[1, 2, 3, 7]`` → ``1-3,7``."""
    out: list[str] = []
    start = prev = numbers[0]
    for n in numbers[1:] + [-1]:
        if n == prev + 1:
            prev = n
            continue
        out.append(str(start) if start == prev else f"{start}-{prev}")
        start = prev = n
    return ",".join(out)


def _nice_km(km: float) -> float:
    for v in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if v >= km:
            return float(v)
    return 10000.0


def draw(c: Canvas, points: Sequence[Point], frame: Frame, title: str, notes: Sequence[str]) -> dict[str, Any]:
    """Draw the whole page; returns what was drawn (counts, box, resolution) for the summary."""
    box = frame.box
    res = basemap.resolution_for(box)
    shores = basemap.shorelines(box, res)
    lines = basemap.borders(box, res)
    c.rect(frame.x, frame.y, frame.w, frame.h, SEA, None)
    c.clip(True)
    for s in shores:
        c.polygon([frame.xy(lon, lat) for lon, lat in s.points], LAND if s.level in basemap.LAND_LEVELS else LAKE)
    for s in lines:
        c.line([frame.xy(lon, lat) for lon, lat in s.points], BORDER, 0.6, dash=True)
    # lat/lon grid
    step = _step(max(box.east - box.west, box.north - box.south))
    lon = math.ceil(box.west / step) * step
    while lon <= box.east:
        c.line([frame.xy(lon, box.south), frame.xy(lon, box.north)], GRID, 0.3)
        lon += step
    lat = math.ceil(box.south / step) * step
    while lat <= box.north:
        c.line([frame.xy(box.west, lat), frame.xy(box.east, lat)], GRID, 0.3)
        lat += step
    # routes, then every point (timed: filled; untimed: hollow), per exhibit colour
    exhibits = sorted({p.exhibit for p in points})
    ink = {ex: colour(i) for i, ex in enumerate(exhibits)}
    per_route = routes(points)
    for ex, pts in per_route.items():
        if len(pts) > 1:
            c.line([frame.xy(p.lon, p.lat) for p in pts], ink[ex], 1.6)
    for p in points:
        x, y = frame.xy(p.lon, p.lat)
        c.dot(x, y, 3.2, ink[p.exhibit] if p.time_utc else None, ink[p.exhibit])
    for ex, pts in per_route.items():  # order numbers along each route; one label per place
        places: dict[tuple[int, int], list[int]] = {}
        for n, q in enumerate(pts, 1):
            x, y = frame.xy(q.lon, q.lat)
            places.setdefault((round(x / 4), round(y / 4)), []).append(n)
        for (gx, gy), numbers in places.items():
            c.text(gx * 4 + 4, gy * 4 - 9, _ranges(numbers), 6.5, ink[ex], bold=True)
    c.clip(False)
    c.rect(frame.x, frame.y, frame.w, frame.h, None, INK)
    # grid labels outside the frame
    lon = math.ceil(box.west / step) * step
    while lon <= box.east:
        x, _ = frame.xy(lon, box.south)
        c.text(x - 10, frame.y + frame.h + 4, _deg(lon, "E", "W", step), 6.5)
        lon += step
    lat = math.ceil(box.south / step) * step
    while lat <= box.north:
        _, y = frame.xy(box.west, lat)
        c.text(frame.x + frame.w + 3, y - 3, _deg(lat, "N", "S", step), 6.5)
        lat += step
    # scale bar along the middle parallel (true there in this projection)
    mid = (box.south + box.north) / 2
    km_per_unit = (box.east - box.west) * EARTH_KM_PER_DEG * math.cos(math.radians(mid)) / frame.w
    km = _nice_km(km_per_unit * frame.w / 5)
    bar = km / km_per_unit
    bx, by = frame.x + 8, frame.y + frame.h - 14
    c.rect(bx - 3, by - 11, bar + 44, 20, (255, 255, 255), None)
    c.line([(bx, by), (bx + bar, by)], INK, 2.0)
    c.line([(bx, by - 3), (bx, by + 3)], INK, 1.0)
    c.line([(bx + bar, by - 3), (bx + bar, by + 3)], INK, 1.0)
    c.text(bx + bar + 4, by - 4, f"{km:g} km", 7)
    c.text(bx, by - 10, f"at {abs(mid):.1f}°{'N' if mid >= 0 else 'S'}", 5.5)
    # title, legend, notes, attribution
    c.text(MAP_X, 20, title, 13, bold=True)
    lx, ly = MAP_X + MAP_W + 44, MAP_Y
    c.text(lx, ly, "Exhibits", 10, bold=True)
    ly += 16
    for ex in exhibits:
        mine = [p for p in points if p.exhibit == ex]
        timed = per_route.get(ex, [])
        c.line([(lx, ly + 4), (lx + 18, ly + 4)], ink[ex], 1.6)
        c.dot(lx + 9, ly + 4, 3.2, ink[ex], ink[ex])
        c.text(lx + 24, ly, f"{ex}: {len(mine)} located, {len(timed)} in time order", 8, bold=True)
        ly += 11
        if timed:
            first, last = timed[0].time_utc or "", timed[-1].time_utc or ""
            c.text(lx + 24, ly, f"{first[:16].replace('T', ' ')} to {last[:16].replace('T', ' ')} UTC", 7)
            ly += 10
        if len(mine) > len(timed):
            c.text(lx + 24, ly, f"{len(mine) - len(timed)} without a UTC time: hollow, not joined", 7)
            ly += 10
        ly += 5
    ly += 6
    c.dot(lx + 9, ly + 4, 3.2, None, INK)
    c.text(lx + 24, ly, "hollow: no UTC time (not placed in the route)", 7)
    ly += 12
    c.text(lx, ly, "Numbers: order in time along each exhibit's route.", 7)
    ly += 10
    c.text(lx, ly, "Lines join an exhibit's points in UTC time order;", 7)
    ly += 9
    c.text(lx, ly, "they are not the path travelled between them.", 7)
    ly += 14
    for note in notes:
        c.text(lx, ly, note, 7)
        ly += 10
    c.text(MAP_X, PAGE_H - 18, basemap.attribution(), 6.5)
    return {"points": len(points), "routes": {ex: len(p) for ex, p in per_route.items()}, "resolution": res,
            "box": [round(box.west, 4), round(box.south, 4), round(box.east, 4), round(box.north, 4)],
            "shapes": len(shores) + len(lines)}


class PngCanvas:
    """Pillow backend: page units times ``scale`` pixels."""

    def __init__(self, scale: float = 2.0) -> None:
        from PIL import Image, ImageDraw

        self.s = scale
        self.img = Image.new("RGB", (round(PAGE_W * scale), round(PAGE_H * scale)), (255, 255, 255))
        self.layer = self.img
        self.draw = ImageDraw.Draw(self.img)
        self._fonts: dict[tuple[float, bool], Any] = {}
        self._clip: tuple[int, int, int, int] | None = None

    def _p(self, pts: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
        return [(x * self.s, y * self.s) for x, y in pts]

    def _font(self, size: float, bold: bool) -> Any:
        from PIL import ImageFont

        key = (size, bold)
        if key not in self._fonts:
            self._fonts[key] = ImageFont.load_default(size=size * self.s)
        return self._fonts[key]

    def polygon(self, pts: Sequence[tuple[float, float]], fill: tuple[int, int, int]) -> None:
        if len(pts) >= 3:
            self.draw.polygon(self._p(pts), fill=fill)

    def line(self, pts: Sequence[tuple[float, float]], ink: tuple[int, int, int], width: float, dash: bool = False) -> None:
        if len(pts) < 2:
            return
        w = max(1, round(width * self.s))
        if not dash:
            self.draw.line(self._p(pts), fill=ink, width=w, joint="curve")
            return
        on = True
        for a, b in zip(pts, pts[1:]):  # dashes per segment: borders are dense polylines
            if on:
                self.draw.line(self._p([a, b]), fill=ink, width=w)
            on = not on

    def dot(self, x: float, y: float, r: float, fill: tuple[int, int, int] | None, ink: tuple[int, int, int]) -> None:
        s = self.s
        self.draw.ellipse([(x - r) * s, (y - r) * s, (x + r) * s, (y + r) * s], fill=fill or (255, 255, 255),
                          outline=ink, width=max(1, round(0.8 * s)))

    def text(self, x: float, y: float, s: str, size: float, ink: tuple[int, int, int] = INK, bold: bool = False) -> None:
        self.draw.text((x * self.s, y * self.s), s, fill=ink, font=self._font(size, bold),
                       stroke_width=1 if bold and size >= 9 else 0, stroke_fill=ink)

    def rect(self, x: float, y: float, w: float, h: float, fill: tuple[int, int, int] | None,
             ink: tuple[int, int, int] | None) -> None:
        s = self.s
        self.draw.rectangle([x * s, y * s, (x + w) * s, (y + h) * s], fill=fill, outline=ink,
                            width=max(1, round(0.8 * s)) if ink else 0)

    def clip(self, on: bool) -> None:
        from PIL import Image, ImageDraw

        if on:  # draw the map on its own image, pasted back inside the frame
            self._saved = (self.img, self.draw)
            self.img = self.img.copy()
            self.draw = ImageDraw.Draw(self.img)
            return
        base, _ = self._saved
        box = (round(MAP_X * self.s), round(MAP_Y * self.s), round((MAP_X + MAP_W) * self.s), round((MAP_Y + MAP_H) * self.s))
        base.paste(self.img.crop(box), box[:2])
        self.img = base
        self.draw = ImageDraw.Draw(self.img)
        _ = Image

    def save(self, target: Path) -> None:
        self.img.save(target, "PNG", optimize=False)


class PdfCanvas:
    """reportlab backend: vector paths, y flipped."""

    def __init__(self, target: Path, title: str) -> None:
        from reportlab.pdfgen import canvas

        self.c = canvas.Canvas(str(target), pagesize=(PAGE_W, PAGE_H), invariant=True, pageCompression=1)
        self.c.setTitle(title)
        self.c.setCreator("fkit")

    @staticmethod
    def _rgb(v: tuple[int, int, int]) -> tuple[float, float, float]:
        return v[0] / 255, v[1] / 255, v[2] / 255

    def _path(self, pts: Sequence[tuple[float, float]], close: bool) -> Any:
        p = self.c.beginPath()
        x, y = pts[0]
        p.moveTo(x, PAGE_H - y)
        for x, y in pts[1:]:
            p.lineTo(x, PAGE_H - y)
        if close:
            p.close()
        return p

    def polygon(self, pts: Sequence[tuple[float, float]], fill: tuple[int, int, int]) -> None:
        if len(pts) >= 3:
            self.c.setFillColorRGB(*self._rgb(fill))
            self.c.drawPath(self._path(pts, True), stroke=0, fill=1)

    def line(self, pts: Sequence[tuple[float, float]], ink: tuple[int, int, int], width: float, dash: bool = False) -> None:
        if len(pts) < 2:
            return
        self.c.setStrokeColorRGB(*self._rgb(ink))
        self.c.setLineWidth(width)
        self.c.setDash(2, 2) if dash else self.c.setDash()
        self.c.setLineJoin(1)
        self.c.drawPath(self._path(pts, False), stroke=1, fill=0)
        self.c.setDash()

    def dot(self, x: float, y: float, r: float, fill: tuple[int, int, int] | None, ink: tuple[int, int, int]) -> None:
        self.c.setStrokeColorRGB(*self._rgb(ink))
        self.c.setLineWidth(0.8)
        self.c.setFillColorRGB(*self._rgb(fill or (255, 255, 255)))
        self.c.circle(x, PAGE_H - y, r, stroke=1, fill=1)

    def text(self, x: float, y: float, s: str, size: float, ink: tuple[int, int, int] = INK, bold: bool = False) -> None:
        self.c.setFillColorRGB(*self._rgb(ink))
        self.c.setFont("Helvetica-Bold" if bold else "Helvetica", size)
        self.c.drawString(x, PAGE_H - y - size * 0.85, s)

    def rect(self, x: float, y: float, w: float, h: float, fill: tuple[int, int, int] | None,
             ink: tuple[int, int, int] | None) -> None:
        if fill:
            self.c.setFillColorRGB(*self._rgb(fill))
        if ink:
            self.c.setStrokeColorRGB(*self._rgb(ink))
            self.c.setLineWidth(0.8)
        self.c.rect(x, PAGE_H - y - h, w, h, stroke=1 if ink else 0, fill=1 if fill else 0)

    def clip(self, on: bool) -> None:
        if on:
            self.c.saveState()
            p = self.c.beginPath()
            p.rect(MAP_X, PAGE_H - MAP_Y - MAP_H, MAP_W, MAP_H)
            self.c.clipPath(p, stroke=0, fill=0)
        else:
            self.c.restoreState()

    def save(self, target: Path) -> None:
        self.c.showPage()
        self.c.save()


def render(points: Sequence[Point], target: Path, title: str, notes: Sequence[str] = (),
           box: BBox | None = None, scale: float = 2.0) -> dict[str, Any]:
    """Draw the route page to ``target`` (``.png``: Pillow at ``scale`` px per point; else PDF)."""
    frame = Frame(box or fit(points))
    canvas: PngCanvas | PdfCanvas = PngCanvas(scale) if target.suffix.lower() == ".png" else PdfCanvas(target, title)
    info = draw(canvas, points, frame, title, notes)
    canvas.save(target)
    info["frame"] = frame
    return info
