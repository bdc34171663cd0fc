"""The pages domain's share of deleting an account and of a person's data export.

A wiki page is everyone's work: their edits stay, by "a former account" (ON DELETE SET
NULL), and so do the revisions they hid as a moderator.
"""

from __future__ import annotations

from sqlalchemy import select

from wiki.accounts import signals
from wiki.accounts.models import User
from wiki.extensions import db
from wiki.pages.models import Page, Revision

ORDER = 30
HANDLES = frozenset({"revisions.author_id", "revisions.hidden_by_id"})


@signals.user_deleting.connect
def _erasure(_user: User | None) -> signals.Erasure:
    return signals.Erasure(order=ORDER, handles=HANDLES)


@signals.collect_personal_data.connect
def _personal_data(user: User) -> signals.PersonalData:
    edits = db.session.execute(
        select(Page.title, Revision.number, Revision.summary, Revision.created_at)
        .join(Page, Page.id == Revision.page_id)
        .where(Revision.author_id == user.id)
        .order_by(Revision.id)
    )
    return signals.PersonalData(
        order=ORDER,
        sections={
            "page_edits": [
                {
                    "page": title,
                    "revision": number,
                    "summary": summary,
                    "created_at": created_at.isoformat(),
                }
                for title, number, summary, created_at in edits
            ]
        },
    )
