"""Every model, imported in one place for Alembic and the tests."""

from wiki.accounts.models import Login, PasswordResetToken, Role, User
from wiki.attachments.models import Attachment, AttachmentVersion
from wiki.events.models import (
    Announcement,
    Event,
    EventStateChange,
    Rsvp,
    RsvpChild,
)
from wiki.idempotency import Submission
from wiki.live.models import LiveEvent
from wiki.moderation.models import Report
from wiki.notices.models import Notice
from wiki.pages.models import Page, PageAlias, PageLink, Revision
from wiki.pitches.models import Ballot, Comment, Dot, Pitch, PitchCoHost
from wiki.ratelimit import RateLimitCounter
from wiki.schedule.models import (
    AgendaFeed,
    AgendaLook,
    GuestHost,
    PitchGuestHost,
    Room,
    ScheduleDraft,
    ScheduleRevision,
    ScheduleVersion,
    SolveJob,
    Star,
    TimeSlot,
    Unavailability,
)

__all__ = [
    "Ballot",
    "Comment",
    "Dot",
    "Pitch",
    "PitchCoHost",
    "Announcement",
    "Attachment",
    "AttachmentVersion",
    "Event",
    "EventStateChange",
    "LiveEvent",
    "Login",
    "Rsvp",
    "RsvpChild",
    "Page",
    "PageAlias",
    "PageLink",
    "PasswordResetToken",
    "RateLimitCounter",
    "Report",
    "Revision",
    "AgendaFeed",
    "AgendaLook",
    "GuestHost",
    "Notice",
    "PitchGuestHost",
    "Room",
    "ScheduleDraft",
    "ScheduleRevision",
    "ScheduleVersion",
    "SolveJob",
    "Star",
    "TimeSlot",
    "Unavailability",
    "Submission",
    "Role",
    "User",
]
