"""渝快办 self-service terminal: integration layer, flows, platform client and tools (never imports kivy)."""

__version__ = "0.1.0"
