"""The schedule domain's share of deleting an account.

What a person said about their own time (the slots they cannot be there for) goes with
them (ON DELETE CASCADE). The grid's history, day pitches they typed in or claimed and the
plans they started stay, by "a former account" (ON DELETE SET NULL): the programme does not
change because someone left. The data export has no schedule section yet.
"""

from __future__ import annotations

from wiki.accounts import signals
from wiki.accounts.models import User

ORDER = 60
HANDLES = frozenset(
    {
        "unavailability.user_id",
        "guest_hosts.claimed_by_id",
        "guest_hosts.created_by_id",
        "schedule_revisions.author_id",
        "solve_jobs.requested_by_id",
    }
)


@signals.user_deleting.connect
def _erasure(_user: User | None) -> signals.Erasure:
    return signals.Erasure(order=ORDER, handles=HANDLES)
