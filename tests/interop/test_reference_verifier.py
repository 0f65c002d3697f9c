"""Digital Bazaar's reference verifier (@digitalbazaar/vc 7, eddsa-rdfc-2022) accepts what the app issues.

The app issues the credentials; the issuer profile and status lists are taken from its own answers
(`/issuer`, `/credentials/status/<n>`) and written to files that the Node script's document loader
serves together with our vendored contexts. Nothing is fetched. The script verifies each credential
with the library's defaults (the issuer's controller document must list the key under
`assertionMethod`; the status list credential is verified too) and reports the status bits.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from academy.certificates import queries as certificate_queries
from academy.certificates import services as certificate_services
from academy.credentials import services
from academy.credentials.proofs import jsonld
from academy.extensions import db
from academy.jobs import run_ready
from academy.programmes import jobs as programme_jobs
from tests.credentials.factories import create_certificate, create_course, create_user, document_of
from tests.services import skip_or_fail

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "verify.mjs"


@pytest.fixture
def node() -> str:
    """The node binary, with the pinned packages installed (`npm ci` in tests/interop)."""
    binary = shutil.which("node")
    if binary is None:
        skip_or_fail("Node.js is not installed")
    if not (HERE / "node_modules" / "@digitalbazaar" / "vc").is_dir():
        skip_or_fail("the reference verifier is not installed (run `npm ci` in tests/interop)")
    return binary


def _programme_certificate(user):
    """A programme certificate issued by the programmes feature once its one required course is done."""
    from academy.courses.models import Enrolment
    from tests.certificates.factories import complete_lessons
    from tests.programmes.factories import create_programme, enrol

    course = create_course(title="Reporting in Jems")
    programme = create_programme(title="Programme management track", courses=[course], credits="5")
    enrol(user, programme)
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == user.id))
    complete_lessons(enrolment, commit=False)
    certificate_services.issue_for_enrolment(enrolment)
    db.session.commit()
    run_ready()
    programme_jobs.check(programme.id, user.id)
    db.session.commit()
    return next(c for c in certificate_queries.certificates_of(user) if c.is_achievement)


def _verify(node: str, tmp_path: Path, client, credentials: dict[str, dict]) -> dict:
    """Run the reference verifier on `credentials`, serving the app's profile and status lists."""
    profile = client.get("/issuer").get_json()
    documents = {profile["id"]: profile}
    for credential in credentials.values():
        url = credential["credentialStatus"]["statusListCredential"]
        documents[url] = client.get(url.removeprefix("http://localhost")).get_json()

    def write(name: str, value: dict) -> str:
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(value), encoding="utf-8")
        return str(path)

    spec = {
        "contexts": {url: str(jsonld.CONTEXT_DIR / name) for url, name in jsonld.CONTEXT_FILES.items()},
        "documents": {url: write(f"doc-{i}", doc) for i, (url, doc) in enumerate(documents.items())},
        "credentials": {name: write(f"vc-{name}", doc) for name, doc in credentials.items()},
    }
    done = subprocess.run(
        [node, str(SCRIPT), write("input", spec)], cwd=HERE, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _tampered(document: dict) -> dict[str, dict]:
    """One-field changes of a signed credential, each of which must break its proof."""
    changes = {
        "holder name": lambda d: d["credentialSubject"]["identifier"][0].update(identityHash="Mallory Forger"),
        "course name": lambda d: d["credentialSubject"]["achievement"].update(name="Audit of Interreg programmes"),
        "credits": lambda d: d["credentialSubject"].update(creditsEarned=60),
        "issue date": lambda d: d.update(validFrom="2020-01-01T00:00:00Z"),
        "status index": lambda d: d["credentialStatus"].update(statusListIndex="7"),
        "schema type": lambda d: d["credentialSchema"][0].update(type="1EdTechJsonSchemaValidator2019"),
    }
    out = {}
    for name, change in changes.items():
        copied = copy.deepcopy(document)
        change(copied)
        out[f"tampered {name}"] = copied
    return out


def test_the_reference_verifier_accepts_every_kind_of_credential_we_issue(app, db, client, node, tmp_path):
    course_certificate = create_certificate(
        user=create_user(name="Ana Kovač"), course=create_course(title="Simplified cost options", credits="0.5")
    )
    programme_certificate = _programme_certificate(create_user(name="Petra Programme"))
    revoked = create_certificate(course=create_course(title="Interreg branding"))
    certificate_services.revoke(revoked, actor=None, reason="issued_in_error")
    superseded = create_certificate(user=create_user(name="Jon Smiht"), course=create_course(title="keep.eu"))
    replacement = certificate_services.reissue(superseded, actor=None, holder_name="Jon Smith")
    db.session.commit()

    issued = {
        "course": document_of(course_certificate),
        "programme": document_of(programme_certificate),
        "revoked": document_of(revoked),
        "superseded": document_of(superseded),
        "replacement": document_of(replacement),
    }
    assert issued["programme"]["credentialSubject"]["achievement"]["achievementType"] == "LearningProgram"
    results = _verify(node, tmp_path, client, issued | _tampered(issued["course"]))

    for name in ("course", "programme", "replacement"):
        assert results[name] == {"verified": True, "errors": [], "status": [False]}, name
    for name in ("revoked", "superseded"):
        # The proof holds; the issuer's signed status list says the credential is revoked.
        assert results[name] == {"verified": True, "errors": [], "status": [True]}, name
    tampered = {name: result for name, result in results.items() if name.startswith("tampered")}
    assert len(tampered) == 6
    for name, result in tampered.items():
        assert result["verified"] is False, name
        assert result["errors"], name


def test_the_issuer_profile_authorises_only_ed25519_keys_for_assertions(app, db, client):
    create_certificate()
    profile = client.get("/issuer").get_json()
    jsonld.canonicalize(profile)  # every term defined (safe mode raises otherwise)
    ed25519 = [m["id"] for m in profile["verificationMethod"] if m["publicKeyMultibase"].startswith("z6Mk")]
    assert profile["assertionMethod"] == ed25519
    assert all(
        m["controller"] == profile["id"] == services.builder.keys.issuer_url() for m in profile["verificationMethod"]
    )
