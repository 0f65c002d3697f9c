"""job outbox: jobs committed with their data, delivered even when Redis was away

Revision ID: b5e1f0c3d7a2
Revises: a7c3e9d21f50
Create Date: 2026-12-07 05:10:00.000000

"""
from alembic import op
import sqlalchemy as sa

import academy.db


# revision identifiers, used by Alembic.
revision = 'b5e1f0c3d7a2'
down_revision = 'a7c3e9d21f50'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_outbox',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('queue', sa.String(length=40), nullable=False),
    sa.Column('func_path', sa.String(length=200), nullable=False),
    sa.Column('args', sa.JSON(), nullable=False),
    sa.Column('kwargs', sa.JSON(), nullable=False),
    sa.Column('created_at', academy.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', academy.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_outbox'))
    )
    with op.batch_alter_table('job_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_outbox_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('job_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_outbox_created_at'))
    op.drop_table('job_outbox')
