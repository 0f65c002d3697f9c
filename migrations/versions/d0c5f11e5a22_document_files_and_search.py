"""community document files and full-text search over documents

Revision ID: d0c5f11e5a22
Revises: c3e1a9f0b7d2
Create Date: 2026-12-07 05:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import academy.db


# revision identifiers, used by Alembic.
revision = 'd0c5f11e5a22'
down_revision = 'c3e1a9f0b7d2'
branch_labels = None
depends_on = None

# The statements of academy.community.documents.models, copied so this migration never changes.
SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS community_document_fts USING fts5("
    "title, body, content='community_documents', content_rowid='id', tokenize='porter unicode61')",
    "CREATE TRIGGER IF NOT EXISTS community_document_fts_ai AFTER INSERT ON community_documents BEGIN "
    "INSERT INTO community_document_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER IF NOT EXISTS community_document_fts_ad AFTER DELETE ON community_documents BEGIN "
    "INSERT INTO community_document_fts(community_document_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); END",
    "CREATE TRIGGER IF NOT EXISTS community_document_fts_au AFTER UPDATE OF title, body ON community_documents "
    "BEGIN INSERT INTO community_document_fts(community_document_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO community_document_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    # Documents written before this migration.
    "INSERT INTO community_document_fts(community_document_fts) VALUES ('rebuild')",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS community_document_fts_ai",
    "DROP TRIGGER IF EXISTS community_document_fts_ad",
    "DROP TRIGGER IF EXISTS community_document_fts_au",
    "DROP TABLE IF EXISTS community_document_fts",
)
POSTGRES_CREATE = (
    "CREATE INDEX IF NOT EXISTS ix_community_documents_fts ON community_documents "
    "USING gin (to_tsvector('english', title || ' ' || body))",
)
POSTGRES_DROP = ("DROP INDEX IF EXISTS ix_community_documents_fts",)


def upgrade():
    op.create_table('community_document_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('uploader_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('file_type', sa.String(length=8), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('alt', sa.String(length=300), nullable=False),
    sa.Column('created_at', academy.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_community_document_files_community_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['community_documents.id'], name=op.f('fk_community_document_files_document_id_community_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sha256'], ['community_stored_files.sha256'], name=op.f('fk_community_document_files_sha256_community_stored_files')),
    sa.ForeignKeyConstraint(['uploader_id'], ['users.id'], name=op.f('fk_community_document_files_uploader_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_document_files'))
    )
    with op.batch_alter_table('community_document_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_document_files_document_id'), ['document_id'], unique=False)
    statements = POSTGRES_CREATE if op.get_bind().dialect.name == "postgresql" else SQLITE_CREATE
    for statement in statements:
        op.execute(statement)


def downgrade():
    statements = POSTGRES_DROP if op.get_bind().dialect.name == "postgresql" else SQLITE_DROP
    for statement in statements:
        op.execute(statement)
    with op.batch_alter_table('community_document_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_document_files_document_id'))
    op.drop_table('community_document_files')
