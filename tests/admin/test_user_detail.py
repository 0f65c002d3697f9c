from academy.auth.models import User, UserSession
from academy.community.models import MemberStatus
from tests.certificates.factories import create_certificate
from tests.community.factories import add_member, create_community
from tests.conftest import csrf_token, read_mail
from tests.courses.factories import create_course, enrol
from tests.factories import create_user


def test_users_list_links_to_the_detail_page(client, admin):
    user = create_user(name="Marta Kovač")
    assert f"/admin/users/{user.id}" in client.get("/admin/users").get_data(as_text=True)


def test_detail_shows_roles_enrolments_certificates_memberships_and_last_login(client, admin, db):
    user = create_user(name="Marta Kovač", trainer=True)
    enrol(user, create_course(slug="state-aid-basics", title="State aid basics"))
    create_certificate(user=user)
    add_member(community=create_community(name="Finance Peers"), user=user, status=MemberStatus.PENDING)
    html = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "Marta Kovač" in html and "State aid basics" in html and "Finance Peers" in html
    assert "pending" in html and "Never" in html and "No certificate" not in html
    assert "Remove trainer" in html


def test_admin_deactivates_and_reactivates_an_account(client, admin, db, login, app):
    from academy.auth import services

    user = create_user(name="Leaving Person")
    services.start_session(user)
    db.session.commit()
    token = csrf_token(client, f"/admin/users/{user.id}")
    response = client.post(f"/admin/users/{user.id}/active", data={"active": "0", "csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    assert not db.session.get(User, user.id).is_active_account
    assert db.session.query(UserSession).filter_by(user_id=user.id).count() == 0
    assert "deactivated" in client.get("/admin/users").get_data(as_text=True)
    client.post(f"/admin/users/{user.id}/active", data={"active": "1", "csrf_token": token})
    db.session.expire_all()
    assert db.session.get(User, user.id).is_active_account


def test_admin_cannot_deactivate_themselves(client, admin, db):
    token = csrf_token(client, f"/admin/users/{admin.id}")
    response = client.post(
        f"/admin/users/{admin.id}/active", data={"active": "0", "csrf_token": token}, follow_redirects=True
    )
    assert "cannot deactivate your own account" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, admin.id).is_active_account


def test_admin_sends_a_password_reset_link(client, admin, app):
    user = create_user(name="Forgetful", email="forgetful@example.eu")
    token = csrf_token(client, f"/admin/users/{user.id}")
    response = client.post(f"/admin/users/{user.id}/password-reset", data={"csrf_token": token}, follow_redirects=True)
    assert "on its way to forgetful@example.eu" in response.get_data(as_text=True)
    mails = [m for m in read_mail(app) if "forgetful@example.eu" in m]
    assert mails and "/reset-password/" in mails[-1]


def test_no_reset_link_for_a_deactivated_account(client, admin, app, db):
    user = create_user(name="Gone", email="gone@example.eu")
    user.is_active_account = False
    db.session.commit()
    token = csrf_token(client, f"/admin/users/{user.id}")
    response = client.post(f"/admin/users/{user.id}/password-reset", data={"csrf_token": token}, follow_redirects=True)
    assert "reactivate it before" in response.get_data(as_text=True)
    assert not [m for m in read_mail(app) if "gone@example.eu" in m]


def test_role_change_from_the_detail_page_returns_there(client, admin, db):
    user = create_user()
    token = csrf_token(client, f"/admin/users/{user.id}")
    response = client.post(
        f"/admin/users/{user.id}/roles",
        data={"role": "trainer", "action": "grant", "back": "detail", "csrf_token": token},
    )
    assert response.headers["Location"].endswith(f"/admin/users/{user.id}")


def test_learner_cannot_see_a_user_detail(client, learner):
    assert client.get(f"/admin/users/{learner.id}").status_code == 403
