"""The attachments domain's share of deleting an account.

Files they uploaded belong to the page they hang on: they stay, uploaded by "a former
account" (ON DELETE SET NULL). The data export has never listed uploads, so it adds nothing.
"""

from __future__ import annotations

from wiki.accounts import signals
from wiki.accounts.models import User

ORDER = 50
HANDLES = frozenset({"attachment_versions.uploaded_by_id"})


@signals.user_deleting.connect
def _erasure(_user: User | None) -> signals.Erasure:
    return signals.Erasure(order=ORDER, handles=HANDLES)
