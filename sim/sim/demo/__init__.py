"""``make demo`` headless: the terminal core on emulated devices, step by step, artefacts in out/demo/."""
