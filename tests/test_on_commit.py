"""Work that must wait for the commit (mail) runs after the real one, never after a savepoint."""

from wiki.database import on_commit
from wiki.extensions import db


def test_runs_once_after_the_outer_commit_not_after_a_savepoint(app):
    ran = []
    with app.app_context():
        session = db.session()
        on_commit(session, lambda: ran.append("mail"))
        with session.begin_nested():  # e.g. a vote's savepoint, later in the same request
            pass
        assert ran == []  # RELEASE SAVEPOINT is not a commit
        session.commit()
        assert ran == ["mail"]
        session.commit()
        assert ran == ["mail"]


def test_forgotten_when_its_savepoint_rolls_back(app):
    ran = []
    with app.app_context():
        session = db.session()
        nested = session.begin_nested()
        on_commit(session, lambda: ran.append("undone"))
        nested.rollback()
        on_commit(session, lambda: ran.append("kept"))
        session.commit()
        assert ran == ["kept"]


def test_kept_when_a_later_savepoint_rolls_back(app):
    ran = []
    with app.app_context():
        session = db.session()
        on_commit(session, lambda: ran.append("mail"))
        nested = session.begin_nested()  # a refused vote, say
        nested.rollback()
        assert ran == []
        session.commit()
        assert ran == ["mail"]


def test_forgotten_when_the_transaction_rolls_back(app):
    ran = []
    with app.app_context():
        session = db.session()
        with session.begin_nested():
            on_commit(session, lambda: ran.append("rolled back"))
        session.rollback()
        session.commit()
        assert ran == []
