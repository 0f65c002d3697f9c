"""community thread reads and helpful marks

Revision ID: a7c3e9d21f50
Revises: a1d2m3c4o5m6
Create Date: 2026-12-07 03:15:00.000000

"""
from alembic import op
import sqlalchemy as sa

import academy.db


# revision identifiers, used by Alembic.
revision = 'a7c3e9d21f50'
down_revision = 'a1d2m3c4o5m6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('community_thread_reads',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('read_at', academy.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['thread_id'], ['community_threads.id'], name=op.f('fk_community_thread_reads_thread_id_community_threads'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_community_thread_reads_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'thread_id', name=op.f('pk_community_thread_reads'))
    )
    op.create_table('community_helpful_marks',
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', academy.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['community_posts.id'], name=op.f('fk_community_helpful_marks_post_id_community_posts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_community_helpful_marks_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('post_id', 'user_id', name=op.f('pk_community_helpful_marks'))
    )
    with op.batch_alter_table('community_helpful_marks', schema=None) as batch_op:
        batch_op.create_index('ix_community_helpful_marks_user_id', ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('community_helpful_marks', schema=None) as batch_op:
        batch_op.drop_index('ix_community_helpful_marks_user_id')
    op.drop_table('community_helpful_marks')
    op.drop_table('community_thread_reads')
