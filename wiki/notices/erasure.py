"""The notices domain's share of deleting an account: a person's inbox goes with them."""

from __future__ import annotations

from sqlalchemy import select

from wiki.accounts import signals
from wiki.accounts.models import User
from wiki.extensions import db
from wiki.notices.models import Notice

ORDER = 70
HANDLES = frozenset({"notices.user_id"})


@signals.user_deleting.connect
def _erasure(_user: User | None) -> signals.Erasure:
    return signals.Erasure(order=ORDER, handles=HANDLES)


@signals.collect_personal_data.connect
def _personal_data(user: User) -> signals.PersonalData:
    notices = db.session.scalars(
        select(Notice).where(Notice.user_id == user.id).order_by(Notice.id)
    )
    return signals.PersonalData(
        order=ORDER,
        sections={
            "notices": [
                {
                    "title": n.title,
                    "body": n.body,
                    "created_at": n.created_at.isoformat(),
                    "read_at": n.read_at.isoformat() if n.read_at else None,
                }
                for n in notices
            ]
        },
    )
