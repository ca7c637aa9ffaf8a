"""Demo cards for the SAM emulator (a package so the JSON ships as package data in wheels)."""
