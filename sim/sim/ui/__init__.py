"""Demo and scripted runs of the UI: a scripted flow port over the real catalog, headless journeys
that screenshot every screen, and the developer panel that drives the sim devices' emulators."""
