"""Moderation: reports of content that breaks the code of conduct, and what facilitators do."""
