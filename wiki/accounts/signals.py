"""What accounts tells every other domain, without knowing which domains there are.

Accounts sits low in the house: pages, events, pitches and the rest import it, never the
other way round. When it must ask all of them something about one person (delete what is
theirs, hand over what you hold about them), it sends a signal here and each domain answers
from its own ``<domain>/erasure.py``, connected when the app is built. A new domain plugs in
by connecting; accounts does not change.

Receivers are called in the order blinker keeps, which is the order modules happened to be
imported. That order is not a rule, so every answer carries its own ``order`` and accounts
sorts by it: lower goes first, both when locking and when exporting. The orders in use:

====  ============  ==========================================================
   0  accounts      the account itself, its logins and tokens
  10  events        RSVPs and their children: the places locked first
  20  pitches       pitches, co-hosts, ballots and dots, comments
  30  pages         revisions and hidden-by marks
  40  moderation    reports filed and resolved
  50  attachments   uploads
  60  schedule      availability, day pitches typed or claimed, grid history, plans,
                    stars, calendar feeds
  70  notices       the inbox
====  ============  ==========================================================
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from blinker import Namespace

_signals = Namespace()

user_deleting = _signals.signal(
    "user-deleting",
    doc="""A user is about to be deleted, inside the transaction that deletes them.

    Sent with the user as the sender. Each receiver returns an ``Erasure`` and does nothing
    else yet: accounts calls every ``prepare`` in order, deletes the user's row (the database
    then removes or unnames what references it, ON DELETE CASCADE / SET NULL), and calls
    what each ``prepare`` returned, in the same order, once every row is gone.
    """,
)

collect_personal_data = _signals.signal(
    "collect-personal-data",
    doc="""Gather everything the site holds about a user, for the download GDPR promises.

    Sent with the user as the sender. Each receiver returns ``PersonalData``: its sections of
    the export, plain values for JSON, under keys no other domain uses.
    """,
)


def _nothing(_user: Any) -> None:
    return None


@dataclass(frozen=True)
class Erasure:
    """One domain's part in deleting an account.

    ``handles`` names every column ("table.column") holding a user id that the domain answers
    for; a test proves that together they cover the whole schema. ``prepare(user)`` runs
    before the user's row goes: it locks what will change and reads what it will need
    afterwards, and returns a callable to run after the row is gone (or None).
    """

    order: int
    handles: frozenset[str]
    prepare: Callable[[Any], Callable[[], None] | None] = _nothing


@dataclass(frozen=True)
class PersonalData:
    """One domain's sections of a person's data export, in the order they appear."""

    order: int
    sections: dict[str, Any] = field(default_factory=dict)


_Answer = TypeVar("_Answer", Erasure, PersonalData)


def erasures(user: Any = None) -> list[Erasure]:
    """Return every domain's part in deleting ``user``, in their declared order."""
    return _in_order(answer for _, answer in user_deleting.send(user))


def handled_columns() -> dict[str, int]:
    """Return every "table.column" some domain erases, with the order of the domain."""
    handled: dict[str, int] = {}
    for erasure in erasures():
        for column in erasure.handles:
            if column in handled:
                raise RuntimeError(f"{column} is handled twice")
            handled[column] = erasure.order
    return handled


def personal_data(user: Any) -> dict[str, Any]:
    """Return every domain's sections about ``user``, in their declared order, as one dict."""
    answers = _in_order(answer for _, answer in collect_personal_data.send(user))
    data: dict[str, Any] = {}
    for answer in answers:
        for key, value in answer.sections.items():
            if key in data:
                raise RuntimeError(f"two domains export a section called {key!r}")
            data[key] = value
    return data


def _in_order(answers: Iterable[_Answer]) -> list[_Answer]:
    ranked = sorted(answers, key=lambda answer: answer.order)
    orders = [answer.order for answer in ranked]
    if len(set(orders)) != len(orders):
        # Two answers of one order would run in import order: exactly what orders prevent.
        raise RuntimeError(f"two domains answer with the same order: {orders}")
    return ranked
