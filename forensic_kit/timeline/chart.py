"""Events per day per exhibit as a stacked bar chart: PDF (reportlab) or PNG (Pillow).

Days run from the first to the last placed event (days without events included, so gaps show);
zone-unknown events have no day and are counted in the caption instead.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path

PALETTE = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189), (140, 86, 75),
           (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207)]
MAX_DAYS = 400


class DayCounts:
    """Counts events per (UTC day, exhibit) as they stream past."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[str, str]] = Counter()
        self.unplaced = 0

    def add(self, time_value: object, exhibit: object) -> None:
        """Count one event (its canonical UTC time, or None)."""
        if isinstance(time_value, str) and len(time_value) >= 10:
            self.counts[(time_value[:10], str(exhibit) if exhibit else "(none)")] += 1
        else:
            self.unplaced += 1

    def table(self) -> tuple[list[str], list[str], dict[tuple[str, str], int]]:
        """(days, exhibits, counts); days fill the whole span, cut to the last MAX_DAYS."""
        if not self.counts:
            return [], [], {}
        days_seen = sorted({d for d, _ in self.counts})
        first, last = date.fromisoformat(days_seen[0]), date.fromisoformat(days_seen[-1])
        if (last - first).days >= MAX_DAYS:
            first = last - timedelta(days=MAX_DAYS - 1)
        days = [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]
        exhibits = sorted({e for _, e in self.counts})
        return days, exhibits, dict(self.counts)


def write(counts: DayCounts, target: Path, title: str = "Events per day per exhibit (UTC)") -> None:
    """Write the chart as PDF or PNG (by ``target``'s suffix)."""
    days, exhibits, table = counts.table()
    caption = f"{sum(table.values())} events placed in time"
    if counts.unplaced:
        caption += f"; {counts.unplaced} recorded without zone are not shown"
    if target.suffix.lower() == ".png":
        _png(days, exhibits, table, target, title, caption)
    else:
        _pdf(days, exhibits, table, target, title, caption)


def _geometry(days: list[str], exhibits: list[str], table: dict[tuple[str, str], int]) -> tuple[int, list[list[int]]]:
    stacks = [[table.get((d, e), 0) for e in exhibits] for d in days]
    return max([sum(s) for s in stacks] + [1]), stacks


def _png(days: list[str], exhibits: list[str], table: dict[tuple[str, str], int], target: Path,
         title: str, caption: str) -> None:
    from PIL import Image, ImageDraw

    width, height, left, bottom, top = 1200, 600, 70, 90, 50
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    draw.text((left, 15), title, fill="black")
    top_value, stacks = _geometry(days, exhibits, table)
    plot_w, plot_h = width - left - 180, height - bottom - top
    bar = plot_w / max(len(days), 1)
    draw.line([(left, height - bottom), (left + plot_w, height - bottom)], fill="black")
    draw.line([(left, top), (left, height - bottom)], fill="black")
    draw.text((5, top), str(top_value), fill="black")
    for i, stack in enumerate(stacks):
        y = float(height - bottom)
        for j, n in enumerate(stack):
            if n:
                h = n / top_value * plot_h
                draw.rectangle([left + i * bar + 1, y - h, left + (i + 1) * bar - 1, y], fill=PALETTE[j % len(PALETTE)])
                y -= h
        if len(days) <= 40 or i % max(1, len(days) // 20) == 0:
            draw.text((left + i * bar, height - bottom + 5), days[i][5:], fill="black")
    for j, ex in enumerate(exhibits):
        draw.rectangle([width - 170, top + j * 20, width - 158, top + j * 20 + 12], fill=PALETTE[j % len(PALETTE)])
        draw.text((width - 150, top + j * 20), ex, fill="black")
    draw.text((left, height - 40), caption, fill="black")
    img.save(target, "PNG")


def _pdf(days: list[str], exhibits: list[str], table: dict[tuple[str, str], int], target: Path,
         title: str, caption: str) -> None:
    from reportlab.lib.colors import Color
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

    width, height = landscape(A4)
    c = canvas.Canvas(str(target), pagesize=(width, height))
    c.setTitle(title)
    left, bottom, top = 60, 80, 60
    c.setFont("Helvetica-Bold", 13)
    c.drawString(left, height - 35, title)
    top_value, stacks = _geometry(days, exhibits, table)
    plot_w, plot_h = width - left - 150, height - bottom - top
    bar = plot_w / max(len(days), 1)
    c.line(left, bottom, left + plot_w, bottom)
    c.line(left, bottom, left, bottom + plot_h)
    c.setFont("Helvetica", 8)
    c.drawRightString(left - 4, bottom + plot_h - 3, str(top_value))
    c.drawRightString(left - 4, bottom - 3, "0")
    for i, stack in enumerate(stacks):
        y = float(bottom)
        for j, n in enumerate(stack):
            if n:
                h = n / top_value * plot_h
                r, g, b = PALETTE[j % len(PALETTE)]
                c.setFillColor(Color(r / 255, g / 255, b / 255))
                c.rect(left + i * bar + 0.5, y, max(bar - 1, 0.5), h, stroke=0, fill=1)
                y += h
        if len(days) <= 40 or i % max(1, len(days) // 20) == 0:
            c.setFillColor(Color(0, 0, 0))
            c.saveState()
            c.translate(left + i * bar + bar / 2, bottom - 4)
            c.rotate(60)
            c.drawRightString(0, -6, days[i])
            c.restoreState()
    for j, ex in enumerate(exhibits):
        r, g, b = PALETTE[j % len(PALETTE)]
        c.setFillColor(Color(r / 255, g / 255, b / 255))
        c.rect(width - 140, height - top - j * 16, 10, 10, stroke=0, fill=1)
        c.setFillColor(Color(0, 0, 0))
        c.drawString(width - 125, height - top - j * 16 + 1, ex)
    c.drawString(left, 25, caption)
    c.showPage()
    c.save()
