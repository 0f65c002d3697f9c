"""programmes: training_sessions.sequence, the .ics SEQUENCE bumped when a session moves

Revision ID: 69257b2e5b74
Revises: 105d1a5bf216
Create Date: 2026-11-21 21:20:32.708741

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '69257b2e5b74'
down_revision = '105d1a5bf216'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sequence', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.drop_column('sequence')
