"""Fleet management on the terminal: heartbeat, remote commands, signed configuration bundles."""
