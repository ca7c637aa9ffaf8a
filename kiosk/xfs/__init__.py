"""XFS4IoT (CWA 17852) service: the terminal's devices over WebSocket for diagnostics tools (docs/xfs.md)."""
