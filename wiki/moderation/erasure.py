"""The moderation domain's share of deleting an account and of a person's data export.

Reports they filed or resolved stay, unnamed (ON DELETE SET NULL): what was reported still
needs looking at.
"""

from __future__ import annotations

from sqlalchemy import select

from wiki.accounts import signals
from wiki.accounts.models import User
from wiki.extensions import db
from wiki.moderation.models import Report

ORDER = 40
HANDLES = frozenset({"reports.reporter_id", "reports.resolved_by_id"})


@signals.user_deleting.connect
def _erasure(_user: User | None) -> signals.Erasure:
    return signals.Erasure(order=ORDER, handles=HANDLES)


@signals.collect_personal_data.connect
def _personal_data(user: User) -> signals.PersonalData:
    reports = db.session.scalars(
        select(Report).where(Report.reporter_id == user.id).order_by(Report.id)
    )
    return signals.PersonalData(
        order=ORDER,
        sections={
            "reports_filed": [
                {
                    "about": report.target_title,
                    "reason": report.reason,
                    "status": str(report.status),
                    "created_at": report.created_at.isoformat(),
                }
                for report in reports
            ]
        },
    )
