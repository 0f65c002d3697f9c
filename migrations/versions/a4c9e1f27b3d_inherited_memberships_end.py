"""community memberships: via_parent, so an inherited membership ends with the parent one

Revision ID: a4c9e1f27b3d
Revises: 43f1c4cbfb07
Create Date: 2026-12-07 02:00:00.000000

Backfill: active plain members of an open-to-parent-members sub-community whom no contact person
admitted (no decision recorded) joined through the parent rule. Those whose parent membership has
already ended lose the inherited one now (status "removed", with the reason), and member counts
are recomputed.
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'a4c9e1f27b3d'
down_revision = '43f1c4cbfb07'
branch_labels = None
depends_on = None

REASON = 'Your membership of the parent community ended.'


def upgrade():
    with op.batch_alter_table('community_memberships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('via_parent', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute(
        sa.text(
            "UPDATE community_memberships SET via_parent = :yes WHERE status = 'active' AND role = 'member'"
            " AND decided_by_id IS NULL AND community_id IN"
            " (SELECT id FROM communities WHERE policy = 'parent_members' AND parent_id IS NOT NULL)"
        ).bindparams(yes=True)
    )
    op.execute(
        sa.text(
            "UPDATE community_memberships SET status = 'removed', via_parent = :no, decision_reason = :reason"
            " WHERE via_parent = :yes AND status = 'active' AND NOT EXISTS ("
            " SELECT 1 FROM community_memberships AS parent_m JOIN communities AS c ON c.parent_id = parent_m.community_id"
            " WHERE c.id = community_memberships.community_id AND parent_m.user_id = community_memberships.user_id"
            " AND parent_m.status = 'active')"
        ).bindparams(yes=True, no=False, reason=REASON)
    )
    op.execute(
        "UPDATE communities SET member_count = (SELECT count(*) FROM community_memberships AS m"
        " WHERE m.community_id = communities.id AND m.status = 'active')"
    )


def downgrade():
    with op.batch_alter_table('community_memberships', schema=None) as batch_op:
        batch_op.drop_column('via_parent')
