"""communities can be archived

Revision ID: a1d2m3c4o5m6
Revises: a4c9e1f27b3d
Create Date: 2026-12-07 03:10:00

"""
from alembic import op
import sqlalchemy as sa

import academy.db


# revision identifiers, used by Alembic.
revision = 'a1d2m3c4o5m6'
down_revision = 'a4c9e1f27b3d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('communities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived_at', academy.db.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('communities', schema=None) as batch_op:
        batch_op.drop_column('archived_at')
