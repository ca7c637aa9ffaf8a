"""Synthetic 高拍仪 footage: a page (or ID card) placed on a desk, with known corners.

The emulator and the tests need video whose ground truth is exact: the page is drawn flat
(Chinese text lines and a QR code), mapped into the frame by a known homography, lit by a soft
shadow gradient and covered with sensor noise. While it slides in it is motion-blurred, as a real
page is; then it lies still. Everything is seeded, so a scene is reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import cv2
import numpy as np
import qrcode
from PIL import Image, ImageDraw, ImageFont

FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
A4_MM = (210.0, 297.0)
CARD_MM = (85.6, 54.0)
PAGE_QR_TEXT = "https://zwfw.cq.gov.cn/check?case=YKB2026112600017"

_LINES = [
    "重庆市渝北区政务服务中心",
    "居民户籍证明材料（演示）",
    "申请人：张三  联系电话：138****0000",
    "兹证明上述人员户籍信息真实有效，",
    "特此证明，供办理相关事项使用。",
    "办理事项：城乡居民基本医疗保险参保登记",
    "材料清单：身份证复印件、户口簿首页",
    "受理日期：二〇二六年十一月二十六日",
]


@dataclass(frozen=True)
class Scene:
    """Frames plus their ground truth. ``corners[i]`` is 4×2 (tl, tr, br, bl) or None when off-frame."""

    frames: list[np.ndarray]
    corners: list[np.ndarray | None]
    still_from: int  # first index from which the page no longer moves
    page: np.ndarray | None  # the flat page as drawn (BGR), None for an empty desk
    kind: str  # a4 | card | empty
    fps: float = 15.0
    info: dict[str, object] = field(default_factory=dict)

    @property
    def final_corners(self) -> np.ndarray | None:
        return self.corners[-1]


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT_PATH, size)


def _qr(text: str, box: int) -> Image.Image:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(text)
    code.make(fit=True)
    return code.make_image(fill_color="black", back_color="white").convert("RGB").resize((box, box), Image.NEAREST)


def draw_a4_page(width: int = 840, qr_text: str = PAGE_QR_TEXT) -> np.ndarray:
    """An A4 portrait page (``width`` px wide) with a title, text lines, a red seal and a QR code."""
    height = round(width * A4_MM[1] / A4_MM[0])
    img = Image.new("RGB", (width, height), (250, 250, 246))
    draw = ImageDraw.Draw(img)
    margin = width // 10
    draw.text((width // 2, margin), _LINES[0], font=_font(width // 18), fill=(20, 20, 20), anchor="mt")
    draw.text((width // 2, margin + width // 12), _LINES[1], font=_font(width // 22), fill=(20, 20, 20), anchor="mt")
    y = margin + width // 5
    body = _font(width // 32)
    for line in _LINES[2:] + _LINES[3:6]:
        draw.text((margin, y), line, font=body, fill=(30, 30, 30))
        y += width // 18
    cx, cy, r = width - margin - width // 8, y + width // 10, width // 9
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=(200, 30, 30), width=max(2, width // 150))
    draw.text((cx, cy), "政务专用章", font=_font(width // 40), fill=(200, 30, 30), anchor="mm")
    box = width * 2 // 5
    img.paste(_qr(qr_text, box), (margin, height - margin - box))
    return cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR)


def draw_id_card(width: int = 428, back: bool = False) -> np.ndarray:
    """A fictitious ID-card-sized card (85.6×54 mm), front (photo, fields) or back (emblem, dates)."""
    height = round(width * CARD_MM[1] / CARD_MM[0])
    img = Image.new("RGB", (width, height), (232, 240, 246) if not back else (238, 242, 236))
    draw = ImageDraw.Draw(img)
    font = _font(max(10, width // 22))
    pad = width // 16
    if back:
        draw.ellipse((pad, pad, pad + height // 3, pad + height // 3), fill=(200, 40, 40))
        draw.text((width // 2, height // 3), "中华人民共和国（样例）", font=_font(width // 16), fill=(20, 20, 20), anchor="mm")
        draw.text((width // 4, height * 3 // 4), "签发机关：重庆市公安局渝北分局", font=font, fill=(30, 30, 30))
        draw.text((width // 4, height * 3 // 4 + width // 18), "有效期限：2020.01.01-2040.01.01", font=font, fill=(30, 30, 30))
    else:
        for i, line in enumerate(["姓名  张三", "性别 男  民族 汉", "出生 1990年1月1日", "住址 重庆市渝北区", "公民身份号码 500112********0000"]):
            draw.text((pad, pad + i * (height // 6)), line, font=font, fill=(25, 25, 25))
        draw.rectangle((width - pad - width // 4, pad, width - pad, pad + height // 2), fill=(150, 160, 175))
    return cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR)


def desk_texture(width: int, height: int, seed: int = 0) -> np.ndarray:
    """A darkish wood-grain desk: low-frequency streaks and blotches, so the page edge is the strongest edge."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    phase = rng.uniform(0, 6.28)
    grain = np.sin(yy / max(1, height) * 40 + np.sin(xx / max(1, width) * 5 + phase) * 3)
    blotch = cv2.resize(rng.normal(0, 1, (max(2, height // 40), max(2, width // 40))).astype(np.float32), (width, height), interpolation=cv2.INTER_CUBIC)
    base = 95 + 10 * grain + 8 * blotch
    desk = np.stack([base * 0.55, base * 0.8, base * 1.05], axis=-1)
    return np.clip(desk, 0, 255).astype(np.uint8)


def placement(width: int, height: int, page_aspect: float, *, scale: float, angle_deg: float, center: tuple[float, float],
              tilt: float = 0.0, seed: int = 0) -> np.ndarray:
    """Corners (tl, tr, br, bl) of a page of ``page_aspect`` (h/w) at ``scale`` of the frame height, rotated and tilted."""
    rng = np.random.default_rng(seed)
    ph = scale * height
    pw = ph / page_aspect
    rect = np.array([[-pw / 2, -ph / 2], [pw / 2, -ph / 2], [pw / 2, ph / 2], [-pw / 2, ph / 2]], np.float32)
    a = np.deg2rad(angle_deg)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]], np.float32)
    pts = rect @ rot.T
    pts += rng.uniform(-tilt, tilt, pts.shape).astype(np.float32) * ph  # keystone-like perspective jitter
    return (pts + np.array([center[0] * width, center[1] * height], np.float32)).astype(np.float32)


def _shadow(width: int, height: int, strength: float, seed: int, edge: float = 0.0) -> np.ndarray:
    """A multiplicative light field: a linear gradient plus a soft dark blob (a hand), and optionally a
    hard-edged band darkening by ``edge`` (the camera arm's shadow across the page)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    theta = rng.uniform(0, 6.28)
    grad = (np.cos(theta) * xx / width + np.sin(theta) * yy / height + 1) / 2
    bx, by = rng.uniform(0.2, 0.8) * width, rng.uniform(0.2, 0.8) * height
    blob = np.exp(-(((xx - bx) / (0.25 * width)) ** 2 + ((yy - by) / (0.25 * height)) ** 2))
    light = (1.0 - strength * (0.6 * grad + 0.4 * blob)).astype(np.float32)
    if edge > 0:
        x0 = rng.uniform(0.35, 0.6) * width
        band = ((xx > x0 + 0.3 * (yy - height / 2)) & (xx < x0 + 0.12 * width + 0.3 * (yy - height / 2))).astype(np.float32)
        light *= 1.0 - edge * cv2.GaussianBlur(band, (0, 0), max(1.0, width / 400))
    return light


def _motion_blur(img: np.ndarray, blur_px: int, angle: float) -> np.ndarray:
    kernel = np.zeros((blur_px, blur_px), np.float32)
    kernel[blur_px // 2, :] = 1.0
    rot = cv2.getRotationMatrix2D((blur_px / 2 - 0.5, blur_px / 2 - 0.5), angle, 1.0)
    kernel = cv2.warpAffine(kernel, rot, (blur_px, blur_px))
    return cv2.filter2D(img, -1, kernel / max(float(kernel.sum()), 1e-6))


def compose(desk: np.ndarray, page: np.ndarray | None, corners: np.ndarray | None, light: np.ndarray,
            rng: np.random.Generator, noise: float, blur_px: int = 0, blur_angle: float = 0.0) -> np.ndarray:
    """One frame: the page warped onto the desk (motion-blurred if moving), lit, with sensor noise.

    cv2 arithmetic rather than numpy: a test scene is 30 frames and should take well under a second."""
    h, w = desk.shape[:2]
    frame = desk.astype(np.float32)
    if page is not None and corners is not None:
        ph, pw = page.shape[:2]
        src = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], np.float32)
        hom = cv2.getPerspectiveTransform(src, corners.astype(np.float32))
        warped = cv2.warpPerspective(page, hom, (w, h), flags=cv2.INTER_AREA if pw > w else cv2.INTER_LINEAR).astype(np.float32)
        alpha = cv2.warpPerspective(np.ones((ph, pw), np.float32), hom, (w, h))
        if blur_px > 1:  # only the moving page smears; the desk stays sharp
            premult = _motion_blur(cv2.multiply(warped, cv2.merge([alpha] * 3)), blur_px, blur_angle)
            alpha = _motion_blur(alpha, blur_px, blur_angle)
            frame = cv2.add(cv2.multiply(frame, cv2.merge([1.0 - alpha] * 3)), premult)
        else:
            frame = cv2.blendLinear(warped, frame, alpha, 1.0 - alpha)
    frame = cv2.multiply(frame, light)
    if noise > 0:
        grain = np.empty_like(frame)
        cv2.setRNGSeed(int(rng.integers(1 << 31)))  # cv2's RNG is per thread; seed it so scenes are reproducible
        cv2.randn(grain, (0.0, 0.0, 0.0), (noise, noise, noise))
        frame = cv2.add(frame, grain)
    return np.clip(frame, 0, 255, out=frame).astype(np.uint8)


def make_scene(kind: str = "a4", *, width: int = 1280, height: int = 720, frames: int = 30, moving: int = 12,
               angle_deg: float = 8.0, scale: float = 0.85, center: tuple[float, float] = (0.5, 0.5), tilt: float = 0.03,
               shadow: float = 0.35, noise: float = 3.0, seed: int = 1, fps: float = 15.0, exposure: float = 1.0,
               shadow_edge: float = 0.0) -> Scene:
    """A page (``a4``), card (``card``/``card_back``) or nothing (``empty``) slid in over ``moving`` frames, then still."""
    rng = np.random.default_rng(seed)
    desk = desk_texture(width, height, seed)
    light = cv2.merge([_shadow(width, height, shadow, seed, shadow_edge) * np.float32(exposure)] * 3)  # exposure < 1: a dim hall
    if kind == "empty":
        out = [compose(desk, None, None, light, rng, noise) for _ in range(frames)]
        return Scene(out, [None] * frames, 0, None, kind, fps)
    if kind == "a4":
        page = draw_a4_page(max(420, int(scale * height / 1.414 * 1.5)))
        aspect = A4_MM[1] / A4_MM[0]
    elif kind in ("card", "card_back"):
        page = draw_id_card(max(300, int(scale * height * 1.6 * 1.5)), back=kind == "card_back")
        aspect = CARD_MM[1] / CARD_MM[0]
    else:
        raise ValueError(f"unknown scene kind {kind!r} (a4, card, card_back, empty)")
    final = placement(width, height, aspect, scale=scale, angle_deg=angle_deg, center=center, tilt=tilt, seed=seed)
    start = final + np.array([width * 0.9, height * 0.15], np.float32)  # slides in from the right
    moving = max(0, min(moving, frames - 1))
    out: list[np.ndarray] = []
    truth: list[np.ndarray | None] = []
    for i in range(frames):
        t = 1.0 if moving == 0 else min(1.0, i / moving)
        ease = 1 - (1 - t) ** 2
        corners = (start + (final - start) * ease).astype(np.float32)
        speed = float(np.linalg.norm((final - start)[0])) * 2 * (1 - t) / max(moving, 1)  # px per frame
        blur = int(min(31, speed / 3)) | 1 if t < 1.0 else 0
        angle = float(np.degrees(np.arctan2(-(final - start)[0][1], -(final - start)[0][0])))
        out.append(compose(desk, page, corners, light, rng, noise, blur, angle))
        inside = bool((corners[:, 0] >= 0).all() and (corners[:, 0] < width).all() and (corners[:, 1] >= 0).all() and (corners[:, 1] < height).all())
        truth.append(corners if inside else None)
    info = {"angle_deg": angle_deg, "scale": scale, "center": center, "shadow": shadow, "seed": seed, "exposure": exposure,
            "shadow_edge": shadow_edge}
    return Scene(out, truth, moving, page, kind, fps, info)


def write_video(scene: Scene, path: str, fourcc: str = "mp4v") -> None:
    """Write ``scene`` as a video file (the ``file://`` source plays it)."""
    h, w = scene.frames[0].shape[:2]
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*fourcc), scene.fps, (w, h))
    if not writer.isOpened():
        raise OSError(f"cannot write video {path}")
    try:
        for frame in scene.frames:
            writer.write(frame)
    finally:
        writer.release()


def still_image(kind: str = "a4", **kwargs: object) -> tuple[np.ndarray, np.ndarray | None]:
    """One still frame of a page lying on the desk and its corners."""
    scene = make_scene(kind, frames=1, moving=0, **kwargs)  # type: ignore[arg-type]
    return scene.frames[0], scene.corners[0]
