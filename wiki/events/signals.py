"""Signals events send, so other domains can answer without events importing them."""

from blinker import Namespace

_signals = Namespace()

# Sent with the new event as sender and ``source=`` the earlier event it was copied from,
# inside the transaction that creates it (receivers flush, the request commits).
event_copied = _signals.signal("event-copied")
