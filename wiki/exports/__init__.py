"""Export formats: pure writers from plain data to files (iCalendar, Atom, QR, share text).

Nothing here knows Flask, the database or any domain: a domain turns its models into the
frozen dataclasses or plain values these writers take, and serves what they return.
"""
