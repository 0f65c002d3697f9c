"""A new session's form starts in the trainer's own time zone."""

from tests.factories import create_user
from tests.programmes.factories import create_programme


def test_a_new_session_starts_in_the_trainers_time_zone(db, client, login):
    trainer = create_user(trainer=True)
    trainer.timezone = "Europe/Athens"
    programme = create_programme(owner=trainer)
    db.session.commit()
    login(trainer)
    html = client.get(f"/teach/programmes/{programme.slug}").get_data(as_text=True)
    assert '<option selected value="Europe/Athens">' in html
