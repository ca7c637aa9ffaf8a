"""The embedded 渝快办 platform emulator: a real HTTP server implementing kiosk/platform/openapi.json."""
