"""Scheduling: rooms, time slots and the grid of sessions (issue 11)."""
