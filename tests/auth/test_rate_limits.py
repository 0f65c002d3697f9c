import pytest

from academy import create_app
from academy.extensions import db as _db


@pytest.fixture
def limited_client(database_url, tmp_path):
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "INSTANCE_PATH": tmp_path,
            "RATELIMIT_ENABLED": True,
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        _db.create_all()
        yield app.test_client()
        _db.session.remove()


def test_login_attempts_are_limited_per_address(limited_client):
    statuses = [
        limited_client.post("/login", data={"email": "a@example.org", "password": "wrong"}).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429
    response = limited_client.post("/login", data={"email": "a@example.org", "password": "wrong"})
    assert "Too many requests" in response.get_data(as_text=True)
    assert "Retry-After" in response.headers or "X-RateLimit-Reset" in response.headers


def test_reading_the_login_page_is_not_limited(limited_client):
    assert all(limited_client.get("/login").status_code == 200 for _ in range(15))
