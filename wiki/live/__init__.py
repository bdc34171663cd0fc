"""Live updates: changes announced to open pages over Server-Sent Events."""
