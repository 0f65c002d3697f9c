"""certificates name an achievement (kind + id) instead of a programme

Certificates are a lower feature than programmes: the column `programme_id` (a foreign key to the
programmes table) becomes `achievement_kind` + `achievement_id`. Existing programme certificates
keep their data: kind 'programme', id the programme's id. Batch mode so SQLite can drop the
column and its foreign key.

Revision ID: c3e1a9f0b7d2
Revises: b5e1f0c3d7a2
Create Date: 2026-12-07 05:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3e1a9f0b7d2'
down_revision = 'b5e1f0c3d7a2'
branch_labels = None
depends_on = None

_OLD_WHERE = "status != 'superseded' AND programme_id IS NOT NULL"
_NEW_WHERE = "status != 'superseded' AND achievement_kind IS NOT NULL"


def upgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('achievement_kind', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('achievement_id', sa.Integer(), nullable=True))
    op.execute(
        "UPDATE certificates SET achievement_kind = 'programme', achievement_id = programme_id "
        "WHERE programme_id IS NOT NULL"
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_certificates_programme_id_programmes'), type_='foreignkey')
        batch_op.drop_index('uq_certificates_current_programme', sqlite_where=sa.text(_OLD_WHERE), postgresql_where=sa.text(_OLD_WHERE))
        batch_op.drop_index(batch_op.f('ix_certificates_programme_id'))
        batch_op.drop_column('programme_id')
        batch_op.create_index('ix_certificates_achievement', ['achievement_kind', 'achievement_id'], unique=False)
        batch_op.create_index('uq_certificates_current_achievement', ['user_id', 'achievement_kind', 'achievement_id'], unique=True, sqlite_where=sa.text(_NEW_WHERE), postgresql_where=sa.text(_NEW_WHERE))


def downgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('programme_id', sa.Integer(), nullable=True))
    # Only programme certificates existed before: any other kind has nowhere to go and is left out.
    op.execute(
        "UPDATE certificates SET programme_id = achievement_id WHERE achievement_kind = 'programme'"
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index('uq_certificates_current_achievement', sqlite_where=sa.text(_NEW_WHERE), postgresql_where=sa.text(_NEW_WHERE))
        batch_op.drop_index('ix_certificates_achievement')
        batch_op.drop_column('achievement_id')
        batch_op.drop_column('achievement_kind')
        batch_op.create_index(batch_op.f('ix_certificates_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index('uq_certificates_current_programme', ['user_id', 'programme_id'], unique=True, sqlite_where=sa.text(_OLD_WHERE), postgresql_where=sa.text(_OLD_WHERE))
        batch_op.create_foreign_key(batch_op.f('fk_certificates_programme_id_programmes'), 'programmes', ['programme_id'], ['id'])
