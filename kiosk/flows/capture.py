"""CaptureStep: the materials screen's actions — 电子证照 lookup, device capture, local review.

电子证照 come from the platform licence library for the identified person (not in 代办: the
principal is not verified here, so their licences stay closed). Captures go to the session dir;
a page-count rejection makes the next capture add pages, any other rejection replaces them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import replace
from typing import Any

from kiosk.errors import PlatformError
from kiosk.flows import intents as I
from kiosk.flows import plan as P
from kiosk.flows import views as V
from kiosk.flows.materials import LICENSE_TYPES, Provided, review, satisfied_by_chip
from kiosk.flows.step_context import StepContext
from kiosk.terminal.facade import Terminal
from kiosk.terminal.media import CapturedPage

log = logging.getLogger(__name__)


class CaptureStep:
    def __init__(self, ctx: StepContext) -> None:
        self.ctx = ctx
        self._licenses: dict[str, Any] | None = None  # platform type code → LicenseSummary
        self._chip_tried = False  # the chip's ID card fetched as 电子证照 once per flow

    def listed(self) -> tuple[tuple[P.PlanMaterial, bool], ...]:
        r = self.ctx.record
        return P.materials(self.ctx.plan, r.answers, r.values, r.identity_kind, r.delivery or None)

    async def licenses(self) -> dict[str, Any]:
        if self._licenses is None:
            self._licenses = {}
            identity = self.ctx.record.identity
            if identity is not None and not self.ctx.record.agent:
                try:
                    for summary in await self.ctx.link.client.list_licenses(identity.person_token):
                        self._licenses.setdefault(summary.type_code, summary)
                except PlatformError as exc:
                    log.warning("licence library unavailable: %s", exc)
        return self._licenses

    async def available(self) -> dict[str, bool]:
        licenses = await self.licenses()
        return {pm.key: "elicense" in pm.material.capture and LICENSE_TYPES.get(pm.material.elicense or "", "") in licenses
                for pm, _ in self.listed()}

    async def show(self, active: str | None = None, preview: bytes | None = None) -> None:
        ctx = self.ctx
        await self._from_chip()
        ctx.flow.show(V.materials_vm(ctx.plan, ctx.record, self.listed(), await self.available(), ctx.flow.elder, active, preview))

    async def complete(self) -> bool:
        missing = [
            pm for pm, needed in self.listed() if needed and self.ctx.record.provided.get(pm.key, Provided()).status not in ("elicense", "captured")
        ]
        if missing:
            await self.show(missing[0].key)
        return not missing

    async def handle(self, intent: I.Intent) -> None:
        entries = {pm.key: pm for pm, _ in self.listed()}
        if isinstance(intent, I.UseElicense) and intent.material in entries:
            await self._elicense(entries[intent.material])
        elif isinstance(intent, I.Capture) and intent.material in entries:
            await self._capture(entries[intent.material], intent.source)

    async def _elicense(self, pm: P.PlanMaterial) -> None:
        await self._fetch(pm)
        await self.show(pm.key)

    async def _from_chip(self) -> None:
        """The ID card just read from the chip (face-matched) is the applicant's ID material: fetched once, no scan."""
        r = self.ctx.record
        if self._chip_tried or r.identity_kind != "idcard_face":
            return
        self._chip_tried = True
        for pm, needed in self.listed():
            done = r.provided.get(pm.key, Provided()).status in ("elicense", "captured")
            if needed and not done and satisfied_by_chip(pm.material, r.identity_kind):
                await self._fetch(pm)

    async def _fetch(self, pm: P.PlanMaterial) -> None:
        """One 电子证照 into ``record.provided`` (reviewed); never draws a screen (callers do)."""
        ctx = self.ctx
        summary = (await self.licenses()).get(LICENSE_TYPES.get(pm.material.elicense or "", ""))
        if summary is None or ctx.record.identity is None:
            return
        try:
            licence = await ctx.link.client.get_license(ctx.record.identity.person_token, summary.license_id)
        except PlatformError as exc:
            ctx.record.provided[pm.key] = Provided("rejected", "elicense", rejection="电子证照暂时无法调取，请改用扫描", basis=str(exc)[:80])
            return
        failed = review(pm.item, pm.material, None, licence.model_dump())
        if failed:
            ctx.record.provided[pm.key] = Provided("rejected", "elicense", rejection=failed[0], basis=failed[1], failed_check=failed[2])
        else:
            ctx.record.provided[pm.key] = Provided("elicense", "elicense", license_id=licence.license_id)
        ctx.flow.save()

    async def _capture(self, pm: P.PlanMaterial, source: str) -> None:
        ctx = self.ctx
        if source not in pm.material.capture:
            return
        waiting = V.materials_vm(ctx.plan, ctx.record, self.listed(), await self.available(), ctx.flow.elder, pm.key)
        live = terminal_preview(ctx.terminal, source)
        base = replace(waiting, capturing=source, speak=_GUIDE.get(source, ""), preview_jpeg=live)
        ctx.flow.show(base)
        device = {"doccam": ctx.terminal.doccam, "photo": ctx.terminal.camera}.get(source)
        if device is not None:
            ctx.live.start(base, device.latest_frame_jpeg, getattr(device, "latest_outline", None))
        try:
            pages, error = await self._pages(pm, source)
        finally:
            await ctx.live.stop()
        if ctx.flow.finished:
            return
        previous = ctx.record.provided.get(pm.key, Provided())
        if error:
            ctx.record.provided[pm.key] = Provided("rejected", source, files=previous.files, rejection=error, basis="")
            await self.show(pm.key)
            return
        keep = previous.files if previous.failed_check == "min_pages" else []
        files = list(keep)
        for page in pages:
            path = ctx.session.temp_file(f"{pm.key.replace('.', '_')}-{len(files) + 1}{_SUFFIX.get(page.mime, '.bin')}")
            path.write_bytes(page.data)
            files.append(str(path))
        failed = review(pm.item, pm.material, pages, None, len(files))
        media = pages[0].mime if pages else "image/jpeg"
        if failed:
            ctx.record.provided[pm.key] = Provided(
                "rejected", source, files=files, media_type=media, rejection=failed[0], basis=failed[1], failed_check=failed[2]
            )
        else:
            ctx.record.provided[pm.key] = Provided("captured", source, files=files, media_type=media)
        ctx.flow.save()
        await self.show(pm.key, pages[0].data if pages and pages[0].mime == "image/jpeg" and len(pages[0].data) < 4_000_000 else None)

    async def _pages(self, pm: P.PlanMaterial, source: str) -> tuple[list[CapturedPage], str]:
        terminal = self.ctx.terminal
        if source == "scanner" and terminal.scanner is not None:
            result = await terminal.scanner.scan(source="flatbed", dpi=150, max_pages=1)
            return (list(result.data or []), "") if result.ok else ([], result.citizen_message or "扫描失败，请重新放置材料")
        if source == "doccam" and terminal.doccam is not None:
            shot = await terminal.doccam.capture_page()
            return ([shot.data], "") if shot.ok and shot.data else ([], shot.citizen_message or "拍摄失败，请将材料平放在拍摄区")
        if source == "photo" and terminal.camera is not None:
            photo = await terminal.camera.capture_face()
            if photo.ok and photo.data:
                face = photo.data
                return [CapturedPage(face.jpeg, "image/jpeg", face.width, face.height, 0, "photo")], ""
            return [], photo.citizen_message or "拍照失败，请正对摄像头"
        if source == "generated":
            return [await self._generated(pm)], ""
        return [], "该采集方式暂不可用，请选择其他方式"

    async def _generated(self, pm: P.PlanMaterial) -> CapturedPage:
        """The form filled in by the terminal from the values typed (签名 follows on the signature step)."""
        # imported here: fpdf + qrcode are ~23 MiB of RSS the UI process should only pay when a form is generated
        from kiosk.documents.certificate import OfficialDocument, render_pdf

        ctx = self.ctx
        fields = [
            (pf.spec.label, ctx.record.values.get(pf.key, ""))
            for pf in P.fields(ctx.plan, ctx.record.answers)
            if any(m == pm.targets[0][0] for m, _ in pf.targets) and ctx.record.values.get(pf.key)
        ]
        doc = OfficialDocument(
            title=pm.material.name,
            paragraphs=[f"申请事项：{pm.item.name}"],
            issuer=ctx.site.hall,
            issued_on=dt.date.today(),
            fields=fields,
            footnote="本表由自助终端根据申请人填写内容生成。",
        )
        pdf = await asyncio.to_thread(render_pdf, doc)
        return CapturedPage(pdf, "application/pdf", 2480, 3508, 300, "generated")


def terminal_preview(terminal: Terminal, source: str) -> bytes | None:
    """The live frame for the capture screen (高拍仪 or camera); None for the scanner."""
    device = {"doccam": terminal.doccam, "photo": terminal.camera}.get(source)
    return device.latest_frame_jpeg() if device is not None else None


_SUFFIX = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}
_GUIDE = {"scanner": "请将材料正面朝下放在扫描仪玻璃板上", "doccam": "请将材料平放在高拍仪拍摄区", "photo": "请正对摄像头"}
