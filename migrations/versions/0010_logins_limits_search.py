"""logins per browser, shared rate-limit counters, one search index for every kind

Revision ID: accounts01
Revises: reminders01
Create Date: 2026-12-05 10:00:00.000000
"""

from alembic import op
import sqlalchemy as sa
import wiki.database
from wiki.sanitize import plain_text


revision = 'accounts01'
down_revision = 'reminders01'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('user_logins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', wiki.database.UTCDateTime(), nullable=False),
    sa.Column('expires_at', wiki.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_logins_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_logins')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_logins_token_hash'))
    )
    with op.batch_alter_table('user_logins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_logins_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_logins_expires_at'), ['expires_at'], unique=False)

    op.create_table('rate_limits',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limits'))
    )
    with op.batch_alter_table('rate_limits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_limits_expires_at'), ['expires_at'], unique=False)

    _create_search_index()
    op.execute("DROP TABLE IF EXISTS page_search")


# Kinds in the order wiki.search numbers them (SQLite rowid = id * 4 + kind).
KINDS = ("page", "pitch", "comment", "announcement")


def _create_search_index() -> None:
    """Index the plain text of pages, sessions, comments and announcements, in one table."""
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    if sqlite:
        op.execute(
            "CREATE VIRTUAL TABLE search_index USING fts5("
            "title, body, tokenize = 'porter unicode61 remove_diacritics 2')"
        )
    else:
        op.execute(
            "CREATE TABLE search_index ("
            " kind varchar(20) NOT NULL, item_id integer NOT NULL,"
            " title text NOT NULL, body text NOT NULL,"
            " document tsvector GENERATED ALWAYS AS ("
            "  setweight(to_tsvector('english', title), 'A') ||"
            "  setweight(to_tsvector('english', body), 'B')) STORED,"
            " CONSTRAINT pk_search_index PRIMARY KEY (kind, item_id))"
        )
        op.execute("CREATE INDEX ix_search_index_document ON search_index USING gin (document)")
    sources = {
        "page": "SELECT p.id, p.title, r.html FROM pages p JOIN revisions r ON r.id = p.current_revision_id",
        "pitch": "SELECT id, title, summary_html || ' ' || replace(tags, ',', ' ') FROM pitches",
        "comment": "SELECT id, '', body_html FROM pitch_comments",
        "announcement": "SELECT id, title, body_html FROM announcements",
    }
    for kind, query in sources.items():
        for item_id, title, html in bind.execute(sa.text(query)).all():
            values = {"k": kind, "i": item_id, "t": title, "b": plain_text(html or "")}
            if sqlite:
                values["r"] = item_id * len(KINDS) + KINDS.index(kind)
                sql = "INSERT INTO search_index (rowid, title, body) VALUES (:r, :t, :b)"
            else:
                sql = "INSERT INTO search_index (kind, item_id, title, body) VALUES (:k, :i, :t, :b)"
            bind.execute(sa.text(sql), values)


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS search_index")
    _create_page_search()
    with op.batch_alter_table('rate_limits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rate_limits_expires_at'))
    op.drop_table('rate_limits')
    with op.batch_alter_table('user_logins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_logins_expires_at'))
        batch_op.drop_index(batch_op.f('ix_user_logins_user_id'))
    op.drop_table('user_logins')


def _create_page_search() -> None:
    """Put back 0002's page index, with each page's current Markdown."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE page_search USING fts5("
            "title, body, tokenize = 'porter unicode61 remove_diacritics 2')"
        )
        insert = "INSERT INTO page_search (rowid, title, body) "
    else:
        op.execute(
            "CREATE TABLE page_search ("
            " page_id integer PRIMARY KEY REFERENCES pages (id) ON DELETE CASCADE,"
            " title text NOT NULL, body text NOT NULL,"
            " document tsvector GENERATED ALWAYS AS ("
            "  setweight(to_tsvector('english', title), 'A') ||"
            "  setweight(to_tsvector('english', body), 'B')) STORED)"
        )
        op.execute("CREATE INDEX ix_page_search_document ON page_search USING gin (document)")
        insert = "INSERT INTO page_search (page_id, title, body) "
    op.execute(
        insert + "SELECT p.id, p.title, r.body FROM pages p "
        "JOIN revisions r ON r.id = p.current_revision_id WHERE p.deleted_at IS NULL"
    )
