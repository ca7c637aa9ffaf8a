"""Cut the subset of the published XFS4IoT 2021-1 JSON schema that tests/xfs validates against.

Source: KAL-ATM-Software/KAL_XFS4IoT_SP-Dev-Samples, Devices/ServerHostSample/JsonSchema/JsonSchema-2021-1.json
(MIT, see NOTICE.md). Run: python tests/xfs/schema/extract.py FULL.json > tests/xfs/schema/xfs4iot-2021-1-subset.json
Keeps the dispatch entries (header type + name → payload) of the messages we send or take, and every
definition they reference, unchanged.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

PREFIXES = ("Common.", "ServicePublisher.", "CardReader.", "Printer.", "Camera.", "BarcodeReader.")
NAMES = {
    "Common.Status", "Common.Capabilities", "Common.Cancel", "Common.StatusChangedEvent", "Common.ErrorEvent",
    "ServicePublisher.GetServices", "ServicePublisher.ServiceDetailEvent",
    "CardReader.ReadRawData", "CardReader.Reset", "CardReader.InsertCardEvent", "CardReader.MediaInsertedEvent",
    "CardReader.MediaRemovedEvent", "Printer.PrintRaw", "Printer.Reset", "Printer.PaperThresholdEvent",
    "Printer.MediaPresentedUnsolicitedEvent", "Printer.MediaPresentedEvent", "Printer.MediaTakenEvent", "Camera.TakePicture", "Camera.Reset",
    "BarcodeReader.Read", "BarcodeReader.Reset",
}
REF = re.compile(r'"\$ref": "(/messages#|/schemas#|#)/([^"]+)"')


def _name(entry: dict[str, Any]) -> str | None:
    header = entry["if"]["properties"]["header"]["properties"]
    return header.get("name", {}).get("const")


def main(path: str) -> None:
    with open(path, encoding="utf-8") as handle:
        full = json.load(handle)
    messages, schemas = full["$defs"]["messages"], full["$defs"]["schemas"]["2021-01"]
    dispatch = [e for e in full["allOf"] if _name(e) in NAMES or _name(e) is None]
    keep_messages: set[str] = set()
    keep_schemas: set[str] = set()
    todo = [json.dumps(e) for e in dispatch]
    while todo:
        text = todo.pop()
        for base, pointer in REF.findall(text):
            parts = pointer.split("/")
            if base == "/messages#":
                if parts[0] not in keep_messages:
                    keep_messages.add(parts[0])
                    todo.append(json.dumps(messages[parts[0]]))
            else:  # /schemas#/2021-01/X or #/2021-01/X inside the schemas
                if parts[1] not in keep_schemas:
                    keep_schemas.add(parts[1])
                    todo.append(json.dumps(schemas[parts[1]]))
    keep_schemas.add("Common.XFSHeader")
    subset = {
        "$schema": full["$schema"],
        "$id": full["$id"],
        "$comment": "Subset of JsonSchema-2021-1.json from KAL-ATM-Software/KAL_XFS4IoT_SP-Dev-Samples (MIT); see NOTICE.md",
        "allOf": dispatch,
        "$defs": {
            "messages": {"$id": full["$defs"]["messages"]["$id"], **{k: messages[k] for k in sorted(keep_messages)}},
            "schemas": {"$id": full["$defs"]["schemas"]["$id"], "2021-01": {k: schemas[k] for k in sorted(keep_schemas)}},
        },
    }
    json.dump(subset, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
