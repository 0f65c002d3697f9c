"""The Interreg networks seed: idempotent, with parents and children, from the CLI too."""

from __future__ import annotations

from academy.community import seed
from academy.community.models import Community, MemberRole, Membership, Thread
from academy.extensions import db
from tests.factories import create_user


def test_seed_creates_the_networks_once(app):
    list(seed.seed())
    list(seed.seed())
    communities = {c.slug: c for c in db.session.query(Community)}
    assert len(communities) == len(seed.COMMUNITIES)
    assert communities["icon"].parent is None
    assert {c.slug for c in communities["finance"].children} == {
        "programme-finance",
        "controllers-and-audit",
        "simplified-cost-options",
    }
    assert "monitoring-and-jems" in communities
    assert all(c.parent.slug == "icon" for c in communities["icon"].children)


def test_seed_with_contacts_adds_them_and_a_welcome_thread_once(app):
    contact = create_user(name="Clara Contact")
    list(seed.seed(contacts=[contact]))
    list(seed.seed(contacts=[contact]))
    db.session.commit()
    memberships = db.session.query(Membership).filter_by(user_id=contact.id).all()
    assert len(memberships) == len(seed.COMMUNITIES)
    assert all(m.role == MemberRole.CONTACT and m.status == "active" for m in memberships)
    assert db.session.query(Thread).count() == len(seed.COMMUNITIES)
    assert all(c.member_count == 1 for c in db.session.query(Community))


def test_cli_seed(app):
    create_user(email="contact@example.org")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["academy", "community", "seed", "--contact", "contact@example.org"])
    assert result.exit_code == 0, result.output
    assert "created icon" in result.output
    result = runner.invoke(args=["academy", "community", "seed"])
    assert "exists  icon" in result.output
    result = runner.invoke(args=["academy", "community", "seed", "--contact", "nobody@example.org"])
    assert result.exit_code != 0 and "No account uses" in result.output
