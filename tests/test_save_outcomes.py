"""What saving a page reports: one status, and on a conflict everything the page shows."""

import pytest

from wiki.accounts.models import User
from wiki.extensions import db
from wiki.pages import services
from wiki.pages.services import SaveOutcome, SaveStatus


def test_each_way_a_save_ends_has_its_status(app, participant):
    with app.test_request_context("/", method="POST"):
        me = db.session.get(User, participant.id)
        created = services.create_page("Venue", "one\ntwo\nthree\n", me)
        page, base = created.page, created.revision.id
        assert created.status == SaveStatus.SAVED
        theirs = services.save_page(page, "Venue", "ONE\ntwo\nthree\n", me, base_revision_id=base)
        assert theirs.status == SaveStatus.SAVED
        merged = services.save_page(page, "Venue", "one\ntwo\nTHREE\n", me, base_revision_id=base)
        assert merged.status == SaveStatus.MERGED
        assert merged.revision.body == "ONE\ntwo\nTHREE\n"
        same = services.save_page(
            page, "Venue", "ONE\ntwo\nTHREE\n", me, base_revision_id=merged.revision.id
        )
        assert same.status == SaveStatus.UNCHANGED and same.revision == merged.revision


def test_a_conflict_carries_the_normalised_text_its_regions_and_the_comparison(app, participant):
    with app.test_request_context("/", method="POST"):
        me = db.session.get(User, participant.id)
        created = services.create_page("Venue", "The venue is TBC.\n", me)
        page, base = created.page, created.revision.id
        services.save_page(page, "Venue", "The village hall.\n", me, base_revision_id=base)
        outcome = services.save_page(page, "Venue", "A farm.\r\n\r\n", me, base_revision_id=base)
        assert outcome.conflict and outcome.status == SaveStatus.CONFLICT
        assert outcome.revision is None
        assert outcome.ours == "A farm.\n"
        [region] = outcome.conflicts
        assert (region.base, region.ours, region.theirs) == (
            ("The venue is TBC.\n",),
            ("A farm.\n",),
            ("The village hall.\n",),
        )
        [hunk] = outcome.comparison
        assert [(row.old_text, row.new_text) for row in hunk.rows] == [
            ("The village hall.", "A farm.")
        ]
        assert outcome.theirs.body == "The village hall.\n"


def test_an_outcome_refuses_fields_that_disagree(app, participant):
    with app.test_request_context("/", method="POST"):
        me = db.session.get(User, participant.id)
        created = services.create_page("Venue", "Text.\n", me)
        with pytest.raises(ValueError):
            SaveOutcome(SaveStatus.CONFLICT, created.page)
        with pytest.raises(ValueError):
            SaveOutcome(SaveStatus.SAVED, created.page, theirs=created.revision)
        with pytest.raises(ValueError):
            SaveOutcome(SaveStatus.SAVED, created.page)
