"""A person chooses their time zone on the profile; an unknown zone is refused on the form."""

from tests.conftest import csrf_token


def test_the_profile_keeps_a_time_zone(client, learner, db):
    token = csrf_token(client, "/account")
    data = {"name": "Lena Learner", "organisation": "", "country": "", "timezone": "Europe/Athens", "csrf_token": token}
    response = client.post("/account", data=data)
    assert response.status_code == 302
    db.session.refresh(learner)
    assert learner.timezone == "Europe/Athens"
    response = client.post("/account", data={**data, "timezone": "Mars/Olympus"})
    assert response.status_code == 400 and "Not a valid choice" in response.get_data(as_text=True)
    assert 'value="Lena Learner"' in response.get_data(as_text=True)
