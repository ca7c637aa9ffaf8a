"""Citizen identity rules shared by the drivers and the flows (GB 11643 ID numbers)."""
