import pytest

from tests.conftest import csrf_token
from tests.factories import create_user


@pytest.mark.parametrize("path", ["/admin/", "/admin/users"])
def test_learner_gets_403_on_admin_pages(client, learner, path):
    response = client.get(path)
    assert response.status_code == 403
    assert "Access denied" in response.get_data(as_text=True)


def test_trainer_gets_403_on_admin_pages(client, trainer):
    assert client.get("/admin/users").status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get("/admin/users")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_admin_searches_users_by_name_email_or_organisation(client, admin):
    create_user(name="Marta Kovač", email="marta@js-hu-hr.eu", organisation="JS Hungary–Croatia")
    create_user(name="Jonas Berg", email="jonas@interreg-oresund.eu", organisation="Øresund MA")
    html = client.get("/admin/users?q=croatia").get_data(as_text=True)
    assert "Marta Kovač" in html and "Jonas Berg" not in html
    html = client.get("/admin/users?q=JONAS@").get_data(as_text=True)
    assert "Jonas Berg" in html and "Marta Kovač" not in html


def test_search_treats_percent_literally(client, admin):
    create_user(name="Percent Person")
    html = client.get("/admin/users?q=%25").get_data(as_text=True)
    assert "No user matches" in html


def test_admin_grants_and_removes_trainer(client, admin, db):
    user = create_user(name="Future Trainer")
    token = csrf_token(client, "/admin/users")
    response = client.post(
        f"/admin/users/{user.id}/roles", data={"role": "trainer", "action": "grant", "csrf_token": token}
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.is_trainer
    client.post(f"/admin/users/{user.id}/roles", data={"role": "trainer", "action": "remove", "csrf_token": token})
    db.session.refresh(user)
    assert not user.is_trainer


def test_filter_by_role(client, admin):
    create_user(name="Some Trainer", trainer=True)
    create_user(name="Plain Learner")
    html = client.get("/admin/users?role=trainer").get_data(as_text=True)
    assert "Some Trainer" in html and "Plain Learner" not in html


def test_admin_cannot_remove_own_admin_role(client, admin, db):
    token = csrf_token(client, "/admin/users")
    client.post(f"/admin/users/{admin.id}/roles", data={"role": "admin", "action": "remove", "csrf_token": token})
    db.session.refresh(admin)
    assert admin.is_admin


def test_unknown_role_is_refused(client, admin):
    user = create_user()
    token = csrf_token(client, "/admin/users")
    response = client.post(
        f"/admin/users/{user.id}/roles", data={"role": "root", "action": "grant", "csrf_token": token}
    )
    assert response.status_code == 400


def test_role_change_without_csrf_is_refused(client, admin, db):
    user = create_user()
    response = client.post(f"/admin/users/{user.id}/roles", data={"role": "admin", "action": "grant"})
    assert response.status_code == 400
    db.session.refresh(user)
    assert not user.is_admin


def test_learner_cannot_grant_roles(client, learner, db):
    token = csrf_token(client, "/account")
    response = client.post(
        f"/admin/users/{learner.id}/roles", data={"role": "admin", "action": "grant", "csrf_token": token}
    )
    assert response.status_code == 403
    db.session.refresh(learner)
    assert not learner.is_admin


def test_making_someone_admin_asks_first(client, admin, db):
    user = create_user()
    token = csrf_token(client, "/admin/users")
    data = {"role": "admin", "action": "grant", "csrf_token": token}
    asked = client.post(f"/admin/users/{user.id}/roles", data=data)
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Make this person an administrator?" in html
    assert 'name="confirmed" value="yes"' in html and 'name="role" value="admin"' in html
    db.session.refresh(user)
    assert not user.is_admin
    client.post(f"/admin/users/{user.id}/roles", data={**data, "confirmed": "yes"})
    db.session.refresh(user)
    assert user.is_admin
