"""verification answers prepared per certificate, and the certificate revision they match

Revision ID: f1a2b3c4d5e6
Revises: e20f3aa06c0c
Create Date: 2026-12-07 21:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f1a2b3c4d5e6'
down_revision = 'e20f3aa06c0c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), server_default='0', nullable=False))

    op.create_table('verification_answers',
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('variant', sa.String(length=40), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('stamp', sa.String(length=64), nullable=False),
    sa.Column('headers', sa.Text(), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('stored_at', sa.Float(), nullable=False),
    sa.Column('expires', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_verification_answers_certificate_id_certificates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('certificate_id', 'variant', name=op.f('pk_verification_answers'))
    )


def downgrade():
    op.drop_table('verification_answers')
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_column('revision')
