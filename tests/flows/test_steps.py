"""Step behaviour seen from outside: prefill, review rejections with their basis, the 一次性告知书,
and a receipt printer out of paper (the application is still accepted, the screen says what to do)."""

from __future__ import annotations

import json

from tests.flows.conftest import Harness


def test_prefill_means_nothing_known_is_typed_again(harness: Harness) -> None:
    start = len(harness.lines)
    result = harness.call(lambda: harness.sim.run("00011500100001", "zhangsan", mode="proxy_remote"))  # 居民医保 (张三 is 渝北户籍: no 居住证)
    lines = harness.lines[start:]
    typed = [line for line in lines if line.startswith("[form] ") and " = " in line]
    assert not any(line.startswith(("[form] 姓名 =", "[form] 公民身份号码 =", "[form] 联系电话 =")) for line in typed), typed
    body = json.loads(harness.platform_db().conn.execute("SELECT body FROM applications WHERE case_id = ?", (result.case_ids[0],)).fetchone()[0])
    assert body["form"]["id_number"] == "500112198703152613"  # from the ID card
    assert body["form"]["phone"] == "13800000001"  # from the platform's shared data (数据共享)
    assert "重庆市渝北区" in body["form"]["address"]


def test_rejections_cite_their_basis_and_licences_replace_paper(harness: Harness) -> None:
    start = len(harness.lines)
    # 教师资格认定: a one-page scan of the 体检合格证明 is rejected under the guide; the ID comes as 电子证照. (失业登记
    # no longer rejects anything: since the platform returns the 居民身份证 licence, no one-sided ID scan happens.)
    result = harness.call(lambda: harness.sim.run("00010700100001", "lisi"))
    lines = harness.lines[start:]
    rejected = [line for line in lines if "未通过" in line]
    assert rejected and all("（依据：" in line and not line.endswith("（依据：）") for line in rejected)
    assert any("调用电子证照" in line for line in lines)
    body = json.loads(harness.platform_db().conn.execute("SELECT body FROM applications WHERE case_id = ?", (result.case_ids[0],)).fetchone()[0])
    assert any(m["source"] == "license" and m["license_id"] for m in body["materials"])
    assert any(m["source"] == "signature" for m in body["materials"])


def test_one_time_notice_is_printed_on_the_receipt_printer(harness: Harness) -> None:
    printer = harness.sim.services.terminal.printer.emulator
    jobs = len(printer.jobs)
    start = len(harness.lines)
    harness.call(lambda: harness.sim.run("00011300100001", "lisi", print_notice=True))
    assert any("告知书已打印" in line for line in harness.lines[start:])
    printed = printer.wait_for_jobs(jobs + 2)  # the 一次性告知书 and the 受理回执
    notice = printed[jobs].decode("gb18030", "replace")
    assert "一次性告知书" in notice and "依据" in notice


def test_paper_out_still_gives_a_receipt_number_and_a_way_forward(harness: Harness) -> None:
    printer = harness.sim.services.terminal.printer.emulator
    printer.set_paper("out")
    try:
        start = len(harness.lines)
        result = harness.call(lambda: harness.sim.run("00011300100001", "lisi"))
    finally:
        printer.set_paper("ok")
    assert result.receipt and not result.printed
    assert len(result.case_ids) == 1  # accepted and delivered all the same
    line = next(line for line in harness.lines[start:] if line.startswith("[receipt]"))
    assert "打印失败" in line
