"""The citizen services that have their own screens beside the item flows, tapped as a citizen would for the
headless demo (every layout): 办不成事 typed on the keyboard with a phone number, 预约取号 centre → 现场取号 →
确认 → the printed ticket, 帮办's other ways, and 手机继续办's QR from an item's confirm page, left with 退出
and its 确定退出 question."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.ui.citizen import Citizen, run_item

if TYPE_CHECKING:
    from sim.ui.journeys import Journey


def more_services(j: Journey) -> dict[str, Any]:
    j.home()
    j.press("home", "办不成事反映")
    complaint = j.at("complaint")
    j.press("complaint", "办事慢")
    j.type_into(complaint.ids.text, [("she", "社"), ("bao", "保"), ("ka", "卡"), ("diu", "丢"), ("le", "了")])
    j.keyboard_done()
    j.type_into(complaint.ids.phone, [("", "13812345678")])
    j.keyboard_done()
    j.shot("complaint", "typed")
    j.press_id("complaint", "next")
    j.until(lambda: j.vm.kind == "complaint" and (j.vm.submitted or bool(j.vm.error)), "the complaint filed", 20)
    j.shot("complaint", "filed")
    j.press_id("complaint", "next")

    j.at("home")
    j.press("home", "预约取号")
    appointment = j.at("appointment")
    j.driver.tap(appointment.ids.centres.children[-1])
    j.until(lambda: j.vm.kind == "appointment" and bool(j.vm.centre), "days and slots", 20)
    j.shot("appointment", "slots")
    j.press("appointment", "现场取号")
    j.shot("appointment", "confirm")
    j.press_id("appointment", "ok")
    j.until(lambda: j.vm.kind == "appointment" and (j.vm.ticket is not None or bool(j.vm.error)), "the ticket", 20)
    j.shot("appointment", "ticket")
    j.press_id("appointment", "next")  # 完成: the session ends

    j.home()
    j.search("sydj")
    j.press("home", "失业登记")
    run_item(j, Citizen("zhangsan", answers=("一般失业人员",)), stop_at="confirm")
    j.press("confirm", "手机继续办")
    j.at("handover")
    j.press_id("handover", "next")
    j.at("confirm", "back")
    j.bar("home")  # 退出 with a form filled in: 确定退出？
    j.shot("confirm", "exit-question")
    j.driver.tap(j.driver.app.exit_confirm.ids.exit)
    j.at("attract", "after-exit")
    return {}
