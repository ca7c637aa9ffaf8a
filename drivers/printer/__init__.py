"""ESC/POS receipt printer: encoder, transports, service, emulator and the ESC/POS → PNG renderer."""

from drivers.printer.encoder import PROFILE_58, PROFILE_80, Encoder, PrinterProfile, encode_document
from drivers.printer.protocol import PrinterState, decode_status

__all__ = ["PROFILE_58", "PROFILE_80", "Encoder", "PrinterProfile", "PrinterState", "decode_status", "encode_document"]
