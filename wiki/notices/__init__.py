"""Notices: a person's in-app inbox (with an unread count in the header) and its e-mail."""
