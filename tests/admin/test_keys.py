"""The admin page of signing keys: credential keys (create, retire) and the certificate seal key."""

from __future__ import annotations

import pytest

from academy.certificates import keys as seal_keys
from academy.credentials import keys, services
from academy.credentials.models import IssuerKey, KeyAlgorithm, KeyStatus
from tests.conftest import csrf_token
from tests.credentials.factories import create_certificate, document_of

PAGE = "/admin/keys"


def _kid_of(document: dict) -> str:
    return document["proof"][0]["verificationMethod"].split("#")[1]


def _issuer_methods(client) -> tuple[set[str], set[str]]:
    body = client.get("/issuer").get_json()
    return {m["id"].split("#")[1] for m in body["verificationMethod"]}, {
        m.split("#")[1] for m in body["assertionMethod"]
    }


def _jwks_kids(client) -> set[str]:
    return {k["kid"] for k in client.get("/.well-known/jwks.json").get_json()["keys"]}


@pytest.mark.parametrize("persona", ["learner", "trainer"])
def test_only_admins_see_or_change_keys(request, client, db, persona):
    key = keys.create_key(KeyAlgorithm.ED25519)
    keys.create_key(KeyAlgorithm.ED25519)
    db.session.commit()
    request.getfixturevalue(persona)
    token = csrf_token(client, "/profile")
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, data={"algorithm": "ES256", "csrf_token": token}).status_code == 403
    assert client.post(f"{PAGE}/retire", data={"kid": key.kid, "csrf_token": token}).status_code == 403
    assert db.session.query(IssuerKey).count() == 2
    assert keys.find(key.kid).status == KeyStatus.ACTIVE


def test_anonymous_is_sent_to_login(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_admin_reaches_the_page_from_the_menu_and_the_admin_pages(client, admin):
    assert f'href="{PAGE}"' in client.get("/").get_data(as_text=True)
    assert f'href="{PAGE}"' in client.get("/admin/users").get_data(as_text=True)


def test_page_lists_credential_keys_with_their_counts_and_the_seal_key(client, admin, db):
    signed = create_certificate()
    create_certificate()
    kid = _kid_of(document_of(signed))
    spare = keys.create_key(KeyAlgorithm.ES256)
    db.session.commit()
    html = client.get(PAGE).get_data(as_text=True)
    row = html.split(kid, 1)[1].split("</tr>", 1)[0]
    assert "Ed25519" in row and "Credentials and status lists" in row and "active" in row
    assert "<td>2</td>" in row  # both certificates' credentials
    spare_row = html.split(spare.kid, 1)[1].split("</tr>", 1)[0]
    assert "QR code token" in spare_row and "<td>0</td>" in spare_row
    seal = seal_keys.describe_seal()
    assert seal.key_id in html and seal.fingerprint in html
    assert "development seal" in html and "Valid until" in html
    # The seal is read-only: no form posts anywhere but the credential key routes and logout.
    assert html.count('method="post"') == html.count(f'action="{PAGE}') + 1


def test_creating_keys_publishes_them(client, admin, db):
    token = csrf_token(client, PAGE)
    response = client.post(PAGE, data={"algorithm": "Ed25519", "csrf_token": token}, follow_redirects=True)
    assert response.status_code == 200
    ed = db.session.query(IssuerKey).filter_by(algorithm=KeyAlgorithm.ED25519).one()
    assert f"Key {ed.kid} (Ed25519) created" in response.get_data(as_text=True)
    client.post(PAGE, data={"algorithm": "ES256", "csrf_token": token})
    es = db.session.query(IssuerKey).filter_by(algorithm=KeyAlgorithm.ES256).one()
    methods, assertion = _issuer_methods(client)
    assert {ed.kid, es.kid} <= methods
    assert ed.kid in assertion and es.kid not in assertion  # ES256 signs QR tokens, not credentials
    assert {ed.kid, es.kid} <= _jwks_kids(client)
    # The newest key signs the next credential.
    assert _kid_of(document_of(create_certificate())) == ed.kid


def test_bad_algorithm_is_refused_and_nothing_is_created(client, admin, db):
    token = csrf_token(client, PAGE)
    response = client.post(PAGE, data={"algorithm": "RSA", "csrf_token": token})
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert db.session.query(IssuerKey).count() == 0
    assert not list(keys.keys_dir().glob("*.pem"))


def test_a_failed_creation_leaves_nothing_behind(app, client, admin, db, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    app.config["CREDENTIAL_KEYS_DIR"] = str(blocker / "keys")  # cannot be created
    token = csrf_token(client, PAGE)
    response = client.post(PAGE, data={"algorithm": "Ed25519", "csrf_token": token}, follow_redirects=True)
    assert "could not be created" in response.get_data(as_text=True)
    assert "Nothing was changed" in response.get_data(as_text=True)
    assert db.session.query(IssuerKey).count() == 0


def test_retiring_through_the_page_keeps_old_credentials_verifying(client, admin, db):
    before = document_of(create_certificate())
    old_kid = _kid_of(before)
    token = csrf_token(client, PAGE)
    client.post(PAGE, data={"algorithm": "Ed25519", "csrf_token": token})
    page = client.get(PAGE).get_data(as_text=True)
    assert "Credentials it signed keep verifying; new ones use the next active key." in page
    response = client.post(f"{PAGE}/retire", data={"kid": old_kid, "csrf_token": token}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert f"Key {old_kid} retired." in html
    row = html.split(f'<code class="kid">{old_kid}', 1)[1].split("</tr>", 1)[0]
    assert "retired" in row and "Retire…" not in row
    old = keys.find(old_kid)
    assert old.status == KeyStatus.RETIRED and old.retired_at is not None
    # Still published, as docs/credentials.md says: the issuer profile and the JWKS list it.
    methods, assertion = _issuer_methods(client)
    assert old_kid in methods and old_kid in assertion
    assert old_kid in _jwks_kids(client)
    assert services.verify(before).verdict == "valid"
    after = document_of(create_certificate())
    assert _kid_of(after) != old_kid
    assert services.verify(after).verdict == "valid"
    again = client.post(f"{PAGE}/retire", data={"kid": old_kid, "csrf_token": token}, follow_redirects=True)
    assert "already retired" in again.get_data(as_text=True)


@pytest.mark.parametrize("algorithm", [KeyAlgorithm.ED25519, KeyAlgorithm.ES256])
def test_the_last_active_key_of_an_algorithm_cannot_be_retired(client, admin, db, algorithm):
    last = keys.create_key(algorithm)
    other = keys.create_key(KeyAlgorithm.ES256 if algorithm == KeyAlgorithm.ED25519 else KeyAlgorithm.ED25519)
    db.session.commit()
    page = client.get(PAGE).get_data(as_text=True)
    assert f"Last active {algorithm.value} key: create another before retiring it." in page
    token = csrf_token(client, PAGE)
    response = client.post(f"{PAGE}/retire", data={"kid": last.kid, "csrf_token": token}, follow_redirects=True)
    assert f"the last active {algorithm.value} key" in response.get_data(as_text=True)
    db.session.expire_all()
    assert keys.find(last.kid).status == KeyStatus.ACTIVE
    assert keys.find(last.kid).retired_at is None
    assert keys.find(other.kid).status == KeyStatus.ACTIVE


def test_retiring_an_unknown_key_says_so(client, admin):
    token = csrf_token(client, PAGE)
    response = client.post(f"{PAGE}/retire", data={"kid": "nope", "csrf_token": token}, follow_redirects=True)
    assert "No key nope." in response.get_data(as_text=True)


def test_posts_without_csrf_are_refused(client, admin, db):
    assert client.post(PAGE, data={"algorithm": "Ed25519"}).status_code == 400
    assert db.session.query(IssuerKey).count() == 0


def test_page_queries_do_not_grow_with_keys_or_credentials(client, admin, db, count_queries):
    create_certificate()
    client.get(PAGE)  # loads the seal key once per process
    with count_queries() as small:
        assert client.get(PAGE).status_code == 200
    for _ in range(3):
        create_certificate()
    for _ in range(4):
        keys.create_key(KeyAlgorithm.ED25519)
        keys.create_key(KeyAlgorithm.ES256)
    db.session.commit()
    with count_queries() as large:
        assert client.get(PAGE).status_code == 200
    # Session, user, notification bell (every page), then the keys and the per-key credential counts.
    assert len(small.statements) == len(large.statements) == 5, large.statements
    assert sum("FROM credential_keys" in s for s in large.statements) == 1
    assert sum("FROM credentials" in s and "GROUP BY" in s for s in large.statements) == 1


def test_an_active_key_without_its_private_file_is_flagged(client, admin, db):
    lost = keys.create_key(KeyAlgorithm.ED25519)
    kept = keys.create_key(KeyAlgorithm.ED25519)
    db.session.commit()
    keys.discard_private(lost.kid)
    html = client.get(PAGE).get_data(as_text=True)
    lost_row = html.split(lost.kid, 1)[1].split("</tr>", 1)[0]
    kept_row = html.split(kept.kid, 1)[1].split("</tr>", 1)[0]
    assert "private key file is missing" in lost_row
    assert "private key file is missing" not in kept_row
