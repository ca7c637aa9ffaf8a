"""Finding the document in a frame: the largest convex quadrilateral of a sane size and shape.

Works on a downscaled grey copy (≈640 px wide) so one frame costs a few milliseconds even at 4K.
Two edge maps are tried — Canny with thresholds from the image median, then an adaptive threshold
— because a shadow across the page breaks a single global threshold but not a local one. The quad
from ``approxPolyDP`` is then refined: a line is fitted to the contour points of each side and the
corners are the lines' intersections, which is sub-pixel and ignores rounded or dog-eared corners.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

WORK_WIDTH = 640

#: Guidance for the citizen, shown under the live preview.
MSG_PLACE = "请将材料平放在拍摄区域内"
MSG_HOLD = "请保持材料不动"
MSG_DARK = "光线不足"
MSG_READY = "正在拍摄，请稍候"


@dataclass(frozen=True)
class ModeSpec:
    """What a target looks like: area as a fraction of the frame, aspect (long/short side)."""

    min_area: float
    max_area: float
    min_aspect: float
    max_aspect: float


MODES: dict[str, ModeSpec] = {
    "page": ModeSpec(0.08, 0.98, 1.0, 1.9),
    "id_front": ModeSpec(0.02, 0.5, 1.47, 1.72),  # 85.6/54 = 1.585; A4 (1.414) must not pass
    "id_back": ModeSpec(0.02, 0.5, 1.47, 1.72),
}


@dataclass(frozen=True)
class Detection:
    """One analysed frame. ``corners`` (tl, tr, br, bl) are in full-frame pixels, or None."""

    corners: np.ndarray | None
    sharpness: float
    brightness: float
    frame_size: tuple[int, int]  # (width, height)

    @property
    def diagonal(self) -> float:
        if self.corners is None:
            return 0.0
        return float(max(np.linalg.norm(self.corners[2] - self.corners[0]), np.linalg.norm(self.corners[3] - self.corners[1])))


def order_corners(pts: np.ndarray) -> np.ndarray:
    """Order four points as top-left, top-right, bottom-right, bottom-left (by angle around the centre)."""
    pts = np.asarray(pts, np.float32).reshape(4, 2)
    centre = pts.mean(axis=0)
    angles = np.arctan2(pts[:, 1] - centre[1], pts[:, 0] - centre[0])
    pts = pts[np.argsort(angles)]  # clockwise in image coordinates, starting somewhere
    start = int(np.argmin(pts.sum(axis=1)))  # top-left has the smallest x+y
    return np.roll(pts, -start, axis=0)


def side_lengths(corners: np.ndarray) -> tuple[float, float]:
    """Mean width (top/bottom) and mean height (left/right) of a quad."""
    c = corners
    width = (np.linalg.norm(c[1] - c[0]) + np.linalg.norm(c[2] - c[3])) / 2
    height = (np.linalg.norm(c[3] - c[0]) + np.linalg.norm(c[2] - c[1])) / 2
    return float(width), float(height)


def _edge_maps(small: np.ndarray, grey: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Region maps to take contours from, and the edge map that candidate outlines must follow.

    Canny on brightness comes first; the saturation map is shadow-proof (a shadow darkens paper
    and desk alike but leaves paper grey and wood brown); the adaptive threshold copes with uneven
    light on a low-saturation desk."""
    blur = cv2.GaussianBlur(grey, (5, 5), 0)
    median = float(np.median(blur))
    raw = cv2.Canny(blur, max(10.0, 0.5 * median), max(30.0, 1.2 * median))
    canny = cv2.morphologyEx(raw, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    maps = [canny]
    if small.ndim == 3:
        sat = cv2.GaussianBlur(cv2.cvtColor(small, cv2.COLOR_BGR2HSV)[:, :, 1], (5, 5), 0)
        _, paper = cv2.threshold(sat, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
        maps.append(cv2.morphologyEx(paper, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8)))
        sat_edges = cv2.Canny(sat, 20, 50)
        raw = cv2.bitwise_or(raw, sat_edges)
    block = (max(grey.shape) // 8) | 1
    adaptive = cv2.adaptiveThreshold(blur, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, block, -8)
    maps.append(cv2.morphologyEx(adaptive, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8)))
    return maps, cv2.dilate(raw, np.ones((5, 5), np.uint8))


def edge_support(quad: np.ndarray, edges: np.ndarray, step: float = 2.0) -> float:
    """Fraction of the quad's perimeter that lies on an edge: a page outline does, a shadow's hull does not."""
    h, w = edges.shape
    hits = total = 0
    for i in range(4):
        a, b = quad[i], quad[(i + 1) % 4]
        n = max(2, int(np.linalg.norm(b - a) / step))
        t = np.linspace(0.05, 0.95, n)[:, None]
        pts = np.rint(a + (b - a) * t).astype(np.int32)
        inside = (pts[:, 0] >= 0) & (pts[:, 0] < w) & (pts[:, 1] >= 0) & (pts[:, 1] < h)
        pts = pts[inside]
        hits += int(np.count_nonzero(edges[pts[:, 1], pts[:, 0]]))
        total += n
    return hits / max(1, total)


def _intersect(l1: np.ndarray, l2: np.ndarray) -> np.ndarray | None:
    (vx1, vy1, x1, y1), (vx2, vy2, x2, y2) = l1, l2
    det = vx1 * (-vy2) - vy1 * (-vx2)
    if abs(det) < 1e-6:
        return None
    t = ((x2 - x1) * (-vy2) - (y2 - y1) * (-vx2)) / det
    return np.array([x1 + t * vx1, y1 + t * vy1], np.float32)


def refine_quad(contour: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """Fit a line to the contour points of each side (away from the corners) and intersect them."""
    pts = contour.reshape(-1, 2).astype(np.float32)
    lines = []
    for i in range(4):
        a, b = quad[i], quad[(i + 1) % 4]
        ab = b - a
        length = float(np.linalg.norm(ab))
        if length < 4:
            return quad
        t = ((pts - a) @ ab) / (length * length)
        dist = np.abs((pts[:, 0] - a[0]) * ab[1] - (pts[:, 1] - a[1]) * ab[0]) / length
        near = pts[(t > 0.1) & (t < 0.9) & (dist < max(3.0, 0.02 * length))]
        if len(near) < 5:
            return quad
        lines.append(cv2.fitLine(near, cv2.DIST_HUBER, 0, 0.01, 0.01).reshape(4))
    out = []
    for i in range(4):
        p = _intersect(lines[(i - 1) % 4], lines[i])
        if p is None or np.linalg.norm(p - quad[i]) > 0.1 * np.linalg.norm(quad[(i + 1) % 4] - quad[i]):
            return quad
        out.append(p)
    return np.array(out, np.float32)


def _plausible(quad: np.ndarray, area_frame: float, spec: ModeSpec) -> bool:
    if not cv2.isContourConvex(quad.reshape(-1, 1, 2).astype(np.int32)):
        return False
    area = cv2.contourArea(quad) / area_frame
    if not spec.min_area <= area <= spec.max_area:
        return False
    w, h = side_lengths(quad)
    aspect = max(w, h) / max(1.0, min(w, h))
    if not spec.min_aspect <= aspect <= spec.max_aspect:
        return False
    for i in range(4):  # corners near 90°: a top-down document camera sees little perspective
        u, v = quad[(i - 1) % 4] - quad[i], quad[(i + 1) % 4] - quad[i]
        cos = abs(float(u @ v) / (np.linalg.norm(u) * np.linalg.norm(v) + 1e-6))
        if cos > 0.45:
            return False
    return True


def find_quad(small: np.ndarray, mode: str = "page", min_support: float = 0.7) -> np.ndarray | None:
    """The best document quad in a small BGR (or grey) image, in its pixels, or None.

    Candidates from every map must follow real edges for ``min_support`` of their perimeter; of
    those the largest wins (a shadow edge across the page outlines a smaller, lit part of it)."""
    spec = MODES[mode]
    grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY) if small.ndim == 3 else small
    area_frame = float(grey.shape[0] * grey.shape[1])
    maps, edges = _edge_maps(small, grey)
    best, best_area, best_map = None, 0.0, 0
    for index, region in enumerate(maps):
        contours, _ = cv2.findContours(region, cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
        for contour in contours:
            if len(contour) < 40:
                continue
            hull = cv2.convexHull(contour)
            hull_area = cv2.contourArea(hull)
            # a later (coarser) map must find something clearly larger to override an earlier one
            floor = best_area * (1.03 if index > best_map else 1.0)
            if hull_area < spec.min_area * area_frame or hull_area <= floor:
                continue
            approx = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
            if len(approx) != 4:
                continue
            quad = order_corners(approx.reshape(4, 2))
            if not _plausible(quad, area_frame, spec):
                continue
            quad = refine_quad(contour, quad)
            if edge_support(quad, edges) < min_support:
                continue
            best, best_area, best_map = quad, hull_area, index
    return best


def sharpness(grey_small: np.ndarray, corners_small: np.ndarray | None) -> float:
    """Variance of the Laplacian inside the document (whole frame if none), after a light blur against noise."""
    img = cv2.GaussianBlur(grey_small, (3, 3), 0)
    lap = cv2.Laplacian(img, cv2.CV_32F)
    if corners_small is None:
        return float(lap.var())
    mask = np.zeros(grey_small.shape, np.uint8)
    centre = corners_small.mean(axis=0)
    inner = centre + (corners_small - centre) * 0.85  # keep the page edge itself out
    cv2.fillConvexPoly(mask, inner.astype(np.int32), 255)
    _, std = cv2.meanStdDev(lap, mask=mask)
    return float(std[0][0] ** 2)


def analyse(frame: np.ndarray, mode: str = "page") -> Detection:
    """Detect the document in a BGR frame; corners come back in full-frame pixels."""
    h, w = frame.shape[:2]
    scale = WORK_WIDTH / w if w > WORK_WIDTH else 1.0
    small = cv2.resize(frame, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA) if scale < 1 else frame
    grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY) if small.ndim == 3 else small
    quad = find_quad(small, mode)
    sharp = sharpness(grey, quad)
    bright = float(cv2.mean(grey)[0])
    corners = None if quad is None else (quad + 0.5) / scale - 0.5
    return Detection(corners, sharp, bright, (w, h))
