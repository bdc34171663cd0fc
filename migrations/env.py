"""Alembic environment: runs against the engine the app hands over."""

from alembic import context

import wiki.models  # noqa: F401  (registers every table on the metadata)
from wiki.database import Base

config = context.config
engine = config.attributes["engine"]


def include_name(name, type_, parent_names):
    """Leave the full-text index tables, which only migrations describe, out of comparisons."""
    return not (type_ == "table" and name and name.startswith(("page_search", "search_index")))


def render_item(type_, obj, autogen_context):
    """Render campwiki's own column types by their import path."""
    if type_ == "type" and obj.__class__.__module__ == "wiki.database":
        return f"wiki.database.{obj.__class__.__name__}()"
    return False


with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
        render_item=render_item,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()
