"""Reusable widgets: on-screen keyboard, signature pad, chrome (bottom bar, idle overlay, technician corner)."""
