"""Alembic, driven from the app: the schema changes only through migrations/."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from flask import Flask

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(app: Flask) -> Config:
    """Return an Alembic configuration bound to the app's engine."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = app.extensions["campwiki.db"]
    return config


def _include_name(name, type_, parent_names) -> bool:
    # The full-text index tables exist only in migrations (FTS5 / tsvector have no model).
    return not (type_ == "table" and name and name.startswith(("page_search", "search_index")))


def upgrade(app: Flask, revision: str = "head") -> None:
    """Apply migrations up to ``revision``."""
    command.upgrade(alembic_config(app), revision)


def pending_changes(app: Flask) -> list:
    """Return the differences autogenerate sees between the models and the database."""
    import wiki.models  # noqa: F401  (every model must be imported to be compared)
    from wiki.database import Base

    with app.extensions["campwiki.db"].connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": _include_name}
        )
        return compare_metadata(context, Base.metadata)
