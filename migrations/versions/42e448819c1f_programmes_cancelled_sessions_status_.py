"""programmes: cancelled sessions (training_sessions.status, cancelled_at, cancelled_by_id, cancellation_reason)

Revision ID: 42e448819c1f
Revises: 69257b2e5b74
Create Date: 2026-11-21 22:21:34.450732

"""
from alembic import op
import sqlalchemy as sa

import academy.db


# revision identifiers, used by Alembic.
revision = '42e448819c1f'
down_revision = '69257b2e5b74'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        # A plain VARCHAR and its CHECK, named as the model's string_enum names it (an Enum column
        # added in batch mode would get its CHECK twice on SQLite, and a downgrade could not drop it).
        batch_op.add_column(sa.Column('status', sa.String(length=20), server_default='scheduled', nullable=False))
        batch_op.create_check_constraint(
            batch_op.f('ck_training_sessions_session_status'), "status IN ('scheduled', 'cancelled')"
        )
        batch_op.add_column(sa.Column('cancelled_at', academy.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('cancelled_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('cancellation_reason', sa.Text(), server_default='', nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_training_sessions_cancelled_by_id_users'), 'users', ['cancelled_by_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_training_sessions_cancelled_by_id_users'), type_='foreignkey')
        batch_op.drop_column('cancellation_reason')
        batch_op.drop_column('cancelled_by_id')
        batch_op.drop_column('cancelled_at')
        batch_op.drop_constraint(batch_op.f('ck_training_sessions_session_status'), type_='check')
        batch_op.drop_column('status')
