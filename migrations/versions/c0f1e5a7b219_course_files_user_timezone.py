"""course files (lesson images and downloads) and each person's time zone

Revision ID: c0f1e5a7b219
Revises: d0c5f11e5a22
Create Date: 2026-12-07 05:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

import academy.db


# revision identifiers, used by Alembic.
revision = 'c0f1e5a7b219'
down_revision = 'd0c5f11e5a22'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('course_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=150), nullable=False),
    sa.Column('file_type', sa.String(length=10), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('alt_text', sa.String(length=500), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', academy.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_course_files_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_course_files_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_files'))
    )
    with op.batch_alter_table('course_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_files_course_id'), ['course_id'], unique=False)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), server_default='Europe/Brussels', nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('timezone')
    with op.batch_alter_table('course_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_files_course_id'))
    op.drop_table('course_files')
