"""A demo site, so a newcomer running campwiki for the first time sees every part."""

from sqlalchemy import func, select

from wiki.accounts import services
from wiki.accounts.models import Role, User
from wiki.extensions import db

DEMO_PEOPLE = [
    ("organiser", "Olu (organiser)", Role.ADMIN, "festival-with-toilets"),
    ("facilitator", "Fran (facilitator)", Role.FACILITATOR, "kids-pitch-sessions"),
    ("participant", "Priya (participant)", Role.PARTICIPANT, "bring-the-family"),
]


def seed(force: bool = False) -> bool:
    """Create the demo people and content; return False when the site is not empty."""
    if not force and db.session.scalar(select(func.count()).select_from(User)):
        return False
    for username, display_name, role, password in DEMO_PEOPLE:
        if services.find_user(username) is None:
            services.register_user(
                username,
                password,
                display_name=display_name,
                role=role,
                invite_code=_invite_code(),
            )
    return True


def _invite_code() -> str:
    from flask import current_app

    return current_app.config["INVITE_CODE"]
