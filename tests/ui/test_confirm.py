"""The confirm screen titles its sections in Chinese (the view-model carries section ids)."""

from __future__ import annotations

from typing import Any

from kiosk.flows.viewmodels import ConfirmVM, Option, SummaryRow


def test_sections_are_titled_for_the_citizen(ui: Any) -> None:
    driver, _port = ui
    rows = (SummaryRow("办理事项", "居住证申领", "item"), SummaryRow("姓名", "张*", "form"),
            SummaryRow("居民身份证", "已采集2页", "material"))
    driver.app.show(ConfirmVM(title="确认提交", item_name="居住证申领", rows=rows, modes=(Option("online", "网上办"),),
                              mode="online", deliveries=(Option("pickup", "窗口领取"),), delivery="pickup"))
    driver.pump(2)
    texts = [w.text for w in reversed(driver.screen("confirm").ids.rows.children)]
    assert texts[:6] == ["【办理信息】", "办理事项：居住证申领", "【申请信息】", "姓名：张*", "【已交材料】", "居民身份证：已采集2页"]
