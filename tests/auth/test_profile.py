from tests.conftest import csrf_token


def test_profile_requires_login(client):
    response = client.get("/account")
    assert response.status_code == 302
    assert "/login?next=%2Faccount" in response.headers["Location"]


def test_profile_edit_saves_and_shows(client, learner, db):
    data = {
        "name": "Θεοδώρα Παπαδοπούλου",
        "organisation": "Interreg Greece–Cyprus JS",
        "country": "GR",
        "csrf_token": csrf_token(client, "/account"),
    }
    assert client.post("/account", data=data).status_code == 302
    html = client.get("/account").get_data(as_text=True)
    assert "Θεοδώρα Παπαδοπούλου" in html
    db.session.refresh(learner)
    assert learner.country == "GR"


def test_profile_with_empty_name_keeps_the_saved_one(client, learner, db):
    data = {"name": "", "organisation": "X", "country": "AT", "csrf_token": csrf_token(client, "/account")}
    response = client.post("/account", data=data)
    assert response.status_code == 400
    db.session.refresh(learner)
    assert learner.name == "Lena Learner"


def test_profile_escapes_user_text(client, learner):
    data = {
        "name": "<script>alert(1)</script>",
        "organisation": "",
        "country": "",
        "csrf_token": csrf_token(client, "/account"),
    }
    client.post("/account", data=data)
    html = client.get("/account").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
