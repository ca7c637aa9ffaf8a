"""The 渝快办 terminal API: the committed OpenAPI contract, request signing, the emulator."""
