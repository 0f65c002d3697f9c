"""programmes: training_sessions.part_id, further dates of a session part

Revision ID: 7d2e5b9c4a18
Revises: 3c1f0a9d2b7e
Create Date: 2026-11-24 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '7d2e5b9c4a18'
down_revision = '3c1f0a9d2b7e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('part_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_training_sessions_part_id'), ['part_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_training_sessions_part_id_programme_parts'),
            'programme_parts',
            ['part_id'],
            ['id'],
            ondelete='CASCADE',
        )


def downgrade():
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_training_sessions_part_id_programme_parts'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_training_sessions_part_id'))
        batch_op.drop_column('part_id')
