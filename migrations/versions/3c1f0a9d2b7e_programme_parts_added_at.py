"""programmes: programme_parts.added_at, so parts added after a learner completed do not revoke

Revision ID: 3c1f0a9d2b7e
Revises: 42e448819c1f
Create Date: 2026-11-21 22:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

import academy.db

# revision identifiers, used by Alembic.
revision = '3c1f0a9d2b7e'
down_revision = '42e448819c1f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('programme_parts', schema=None) as batch_op:
        batch_op.add_column(sa.Column("added_at", academy.db.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('programme_parts', schema=None) as batch_op:
        batch_op.drop_column('added_at')
