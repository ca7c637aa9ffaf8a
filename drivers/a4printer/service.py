"""DocumentPrinter over CUPS: submit a PDF with ``lp``, follow the job over IPP to its end.

Why ``lp`` to submit: it handles local authentication and encryption the way every CUPS install
expects. Why IPP to follow: only Get-Job-Attributes tells completed from aborted. A job that cannot
finish (printer stopped, jam, paper out) is canceled on our side before we return: a citizen's
certificate must not come out later for someone else to pick up.

URLs: ``cups:QUEUE`` (``?server=host:port``, default the CUPS default server), ``sim:a4printer``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from typing import Any

from drivers.a4printer.ipp import JOB_STATES, IppClient, IppError
from drivers.a4printer.options import CupsOptions
from drivers.a4printer.protocol import Fault, classify_lp_error, error_code_for, fault_from_printer, parse_lp_output, standing_condition
from kiosk.errors import CommandCanceled, DeviceIOError, DeviceTimeoutError, DeviceUnavailableError, InvalidDataError
from kiosk.terminal.cancel import CancelToken
from kiosk.terminal.completion import Completion, CompletionCode, RecoveryAction
from kiosk.terminal.device import DeviceService
from kiosk.terminal.error_codes import DocumentPrinterError
from kiosk.terminal.events import EventBus
from kiosk.terminal.media import PrintJobResult
from kiosk.terminal.options import options_for, takes_options
from kiosk.terminal.registry import DeviceSpec
from kiosk.terminal.status import DeviceClass, DeviceState

_NOT_FOUND = 0x0406


_PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def pdf_page_count(pdf: bytes) -> int:
    """Page objects in an uncompressed-xref PDF (what our renderer writes); 0 if unknown."""
    return len(_PAGE_OBJECT.findall(pdf))


def split_server(server: str) -> tuple[str, int]:
    """``host:port`` (or ``host``) → (host, port); empty means the CUPS default (localhost:631)."""
    server = server or os.environ.get("CUPS_SERVER", "") or "localhost"
    if server.startswith("/"):
        raise DeviceUnavailableError(f"CUPS server {server!r} is a socket path; configure host:port")
    host, _, port = server.rpartition(":") if ":" in server else (server, "", "631")
    return host or "localhost", int(port or 631)


class CupsDocumentPrinter(DeviceService):
    """One CUPS queue. ``print_timeout_s`` bounds a whole job (submit + print) by default."""

    device_class = DeviceClass.DOCUMENT_PRINTER

    def __init__(self, name: str, bus: EventBus, queue: str, server: str = "", *, print_timeout_s: float = 90.0, poll_s: float = 0.1,
                 fault_grace_s: float = 5.0, default_timeout: float | None = None) -> None:
        super().__init__(name, bus, default_timeout=default_timeout)
        if not queue:
            raise ValueError("cups: URL needs a queue name, e.g. cups:HP_LaserJet")
        self.queue = queue
        self.server = server
        self.print_timeout_s = print_timeout_s
        self.poll_s = poll_s
        self.fault_grace_s = fault_grace_s  # how long a processing printer may report an error (staff may fix it)

    def capabilities(self) -> dict[str, Any]:
        return {"queue": self.queue, "server": self.server or "default", "formats": ["application/pdf"], "paper": "A4"}

    def _ipp(self) -> IppClient:
        host, port = split_server(self.server)
        return IppClient(host, port)

    def _lp_args(self) -> list[str]:
        return ["-h", self.server] if self.server else []

    # ----- lifecycle ---------------------------------------------------------------------------
    def _do_open(self, token: CancelToken) -> None:
        if shutil.which("lp") is None:
            raise DeviceUnavailableError("lp not installed (apt-get install cups-client)")
        self._report_queue()

    def _do_probe(self, token: CancelToken) -> None:
        """The supervisor's health check: one Get-Printer-Attributes (printer-state, printer-state-reasons)."""
        self._report_queue()

    def _report_queue(self) -> None:
        """Report what the queue says now: a fault that stops jobs, a condition CUPS last heard of (paper out on an
        idle queue), or online. Paper out at boot is the status after open, never ``online``."""
        attrs = self._queue_attributes()
        fault = self._fault_of(attrs) or standing_condition(_reasons(attrs), str(attrs.get("printer-state-message", [""])[0]))
        if fault is not None:
            self.runner.report(fault.state, fault.description, reason=fault.reason)
        else:
            self.runner.report(DeviceState.ONLINE, "", reason="")

    def _queue_attributes(self) -> dict[str, list[Any]]:
        """The queue's attributes; DeviceUnavailableError if the server or queue is missing."""
        try:
            return self._ipp().printer_attributes(self.queue)
        except IppError as exc:
            if exc.status == _NOT_FOUND:
                raise DeviceUnavailableError(f"CUPS queue {self.queue!r} does not exist") from None
            raise DeviceUnavailableError(str(exc)) from None

    def _printer_fault(self, check_accepting: bool = True) -> Fault | None:
        """Why no job can print now (the queue is stopped, rejects jobs, or processes with an error), or None."""
        return self._fault_of(self._queue_attributes(), check_accepting)

    @staticmethod
    def _fault_of(attrs: dict[str, list[Any]], check_accepting: bool = True) -> Fault | None:
        fault = fault_from_printer(int(attrs.get("printer-state", [3])[0]), _reasons(attrs), str(attrs.get("printer-state-message", [""])[0]))
        if fault is None and check_accepting and not attrs.get("printer-is-accepting-jobs", [True])[0]:
            fault = Fault(CompletionCode.DEVICE_NOT_READY, RecoveryAction.MAINTENANCE, DeviceState.OFFLINE, "queue rejects jobs",
                          "打印机已暂停服务，请联系工作人员", "not-accepting", True)
        return fault

    # ----- the contract ------------------------------------------------------------------------
    async def print_pdf(self, pdf: bytes, title: str, timeout: float | None = None) -> Completion[PrintJobResult]:
        """Print and follow the job. ``title`` becomes the CUPS job name, visible in ``lpstat``:
        name the document kind (证明), never the citizen. Production CUPS servers should set
        ``PreserveJobFiles No`` so spooled certificates do not linger."""
        return await self._execute("print_pdf", lambda token: self._do_print_pdf(token, pdf, title), timeout or self.print_timeout_s)

    def _fail(self, fault: Fault, job_id: int | None = None) -> Completion[PrintJobResult]:
        self.runner.report(fault.state, fault.description, reason=fault.reason)
        detail: dict[str, object] = {"reason": fault.reason} if job_id is None else {"reason": fault.reason, "job_id": job_id}
        return Completion.failure(fault.code, fault.description, fault.action, fault.citizen_message, None,
                                  error_code=error_code_for(fault.reason), **detail)

    def _do_print_pdf(self, token: CancelToken, pdf: bytes, title: str) -> Completion[PrintJobResult]:
        if not pdf.startswith(b"%PDF-"):
            raise InvalidDataError("print_pdf needs PDF bytes (no %PDF- header)")
        fault = self._printer_fault()
        if fault is not None:  # nothing submitted, nothing lost
            return self._fail(fault)
        try:
            job_id = self._submit(token, pdf, title)
        except _LpRefused as refused:
            return refused.completion
        try:
            return self._follow(token, job_id, pdf)
        except (CommandCanceled, DeviceTimeoutError):
            self._cancel_job(job_id)
            raise

    def _submit(self, token: CancelToken, pdf: bytes, title: str) -> int:
        with tempfile.NamedTemporaryFile(prefix="kiosk-a4-", suffix=".pdf") as handle:
            handle.write(pdf)
            handle.flush()
            cmd = ["lp", *self._lp_args(), "-d", self.queue, "-t", title or "document", "-o", "document-format=application/pdf", handle.name]
            try:
                done = subprocess.run(cmd, capture_output=True, text=True, timeout=max(0.5, token.remaining()))
            except subprocess.TimeoutExpired:
                raise DeviceTimeoutError("lp did not return") from None
            except OSError as exc:
                raise DeviceIOError(f"cannot run lp: {exc}") from None
        if done.returncode != 0:
            code, action, text = classify_lp_error(done.stderr)
            state = DeviceState.NO_DEVICE if code is CompletionCode.DEVICE_NOT_READY else DeviceState.HARDWARE_ERROR
            self.runner.report(state, text)
            raise _LpRefused(code, action, text)
        try:
            return parse_lp_output(done.stdout)
        except ValueError as exc:
            raise DeviceIOError(str(exc)) from None

    def _follow(self, token: CancelToken, job_id: int, pdf: bytes) -> Completion[PrintJobResult]:
        ipp = self._ipp()
        fault_since: float | None = None
        while True:
            try:
                job = ipp.job_attributes(job_id)
            except IppError as exc:
                raise DeviceIOError(f"lost track of job {job_id}: {exc}") from None
            state = JOB_STATES.get(int(job.get("job-state", [0])[0]), "unknown")
            sheets = int(job.get("job-media-sheets-completed", [0])[0] or 0)
            message = str(job.get("job-printer-state-message", [""])[0])
            if state == "completed":
                self.runner.report(DeviceState.ONLINE, "", reason="")
                pages = sheets or pdf_page_count(pdf)  # raw queues report no sheets
                return Completion.success(PrintJobResult(str(job_id), "completed", pages), f"job {job_id} completed", job_id=job_id)
            if state in ("aborted", "canceled"):
                result = PrintJobResult(str(job_id), state, sheets)
                code = CompletionCode.HARDWARE_ERROR if state == "aborted" else CompletionCode.CANCELED
                return Completion.failure(code, f"job {job_id} {state}: {message or 'no reason given'}", RecoveryAction.RETRY,
                                          data=result, error_code=DocumentPrinterError.JOB_ABORTED if state == "aborted" else None,
                                          job_id=job_id)
            fault = self._printer_fault(check_accepting=False)
            if fault is not None and not fault.stopped:  # processing with an error: staff may fix it
                fault_since = time.monotonic() if fault_since is None else fault_since
                if time.monotonic() - fault_since < self.fault_grace_s:
                    fault = None
            else:
                fault_since = None
            if fault is not None or state in ("processing-stopped", "pending-held"):
                fault = fault or Fault(CompletionCode.HARDWARE_ERROR, RecoveryAction.MAINTENANCE, DeviceState.HARDWARE_ERROR,
                                       f"job {state}: {message}", "打印机故障，请联系工作人员", state)
                self._cancel_job(job_id)
                return self._fail(fault, job_id=job_id)
            token.sleep(self.poll_s)

    def _cancel_job(self, job_id: int) -> None:
        """Best effort: a job we gave up on must not print later."""
        try:
            subprocess.run(["cancel", *self._lp_args(), str(job_id)], capture_output=True, timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            pass


def _reasons(attrs: dict[str, list[Any]]) -> list[str]:
    return [str(r) for r in attrs.get("printer-state-reasons", [])]


class _LpRefused(Exception):
    """lp refused the job: an expected outcome carried out of ``_submit`` as a completion."""

    def __init__(self, code: CompletionCode, action: RecoveryAction, text: str) -> None:
        super().__init__(text)
        self.completion: Completion[PrintJobResult] = Completion.failure(code, text, action)


@takes_options(CupsOptions)
def build(spec: DeviceSpec, bus: EventBus) -> CupsDocumentPrinter:
    """``cups:QUEUE?server=host:port&poll_s=0.2`` (options may also come from the config table)."""
    opts = options_for(spec, CupsOptions)
    return CupsDocumentPrinter(
        spec.name, bus, spec.url.target or spec.url.host, opts.server,
        print_timeout_s=opts.print_timeout_s, poll_s=opts.poll_s, fault_grace_s=opts.fault_grace_s, default_timeout=spec.timeout_s,
    )
