"""Certificate suspension: when a certificate was suspended (null: not suspended).

Revision ID: 4f8a2c61d9e3
Revises: 7d2e5b9c4a18
Create Date: 2026-12-07 02:20:00
"""

import sqlalchemy as sa
from alembic import op

import academy.db

revision = '4f8a2c61d9e3'
down_revision = '7d2e5b9c4a18'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suspended_at', academy.db.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_column('suspended_at')
