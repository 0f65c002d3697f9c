"""Hostile PDFs at the upload check: each answered in bounded time with a 4xx, never a 5xx or a hung worker."""

from __future__ import annotations

import time
from io import BytesIO

import pytest

from academy.certificates import keys as seal_keys
from academy.certificates import pdfguard, sandbox, storage, verification
from tests.certificates import hostile
from tests.certificates.factories import create_certificate
from tests.conftest import csrf_token


@pytest.fixture
def tight(app):
    """Smaller limits than production so the corpus runs quickly; the live-server test uses the defaults."""
    app.config.update(CERTIFICATE_CHECK_CPU_SECONDS=3, CERTIFICATE_CHECK_WALL_SECONDS=6)
    return app


def _upload(client, data: bytes):
    token = csrf_token(client, "/verify/upload")
    return client.post(
        "/verify/upload",
        data={"csrf_token": token, "pdf": (BytesIO(data), "certificate.pdf")},
        content_type="multipart/form-data",
    )


def test_the_249_byte_self_referencing_prev_is_refused_before_parsing():
    data = hostile.self_referencing_prev()
    assert len(data) < 260
    assert pdfguard.structure_problem(data) == "xref_cycle"
    assert pdfguard.structure_problem(hostile.two_section_prev_loop()) == "xref_cycle"


def test_html_renamed_pdf_has_no_header():
    assert pdfguard.structure_problem(hostile.html_renamed_pdf()) == "no_header"


def test_our_own_certificates_pass_the_structural_checks(app, db):
    assert pdfguard.structure_problem(storage.read(create_certificate().pdf_path)) is None


@pytest.mark.parametrize("name", sorted(hostile.CORPUS))
def test_each_hostile_file_gets_a_4xx_within_ten_seconds(tight, client, db, name):
    data = hostile.CORPUS[name]()
    started = time.monotonic()
    response = _upload(client, data)
    elapsed = time.monotonic() - started
    html = response.get_data(as_text=True)
    assert elapsed < 10, f"{name} took {elapsed:.1f} s"
    assert response.status_code in (200, 422), f"{name}: {response.status_code}"
    assert "authentic certificate" not in html
    if response.status_code == 422:
        assert "could not be checked" in html or "not a PDF we can read" in html


@pytest.mark.parametrize("name", ["self-referencing-prev", "object-stream-bomb", "html-renamed-pdf"])
def test_the_known_killers_are_answered_could_not_be_checked(tight, client, db, name):
    response = _upload(client, hostile.CORPUS[name]())
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "could not be checked" in html or "not a PDF we can read" in html


def test_a_check_past_its_wall_time_is_killed(app, db):
    key = seal_keys.seal_key()
    limits = sandbox.Limits(cpu_seconds=30, wall_seconds=1.0)
    started = time.monotonic()
    with pytest.raises(sandbox.Uncheckable) as caught:
        sandbox.check_seal_bounded(hostile.object_stream_bomb(), roots=key.roots, chain=key.chain, limits=limits)
    assert caught.value.reason == "wall_time"
    assert time.monotonic() - started < 5


def test_a_check_past_its_cpu_time_is_killed(app, db):
    key = seal_keys.seal_key()
    limits = sandbox.Limits(cpu_seconds=1, wall_seconds=30)
    with pytest.raises(sandbox.Uncheckable) as caught:
        sandbox.check_seal_bounded(hostile.object_stream_bomb(), roots=key.roots, chain=key.chain, limits=limits)
    assert caught.value.reason == "cpu_time"


def test_a_check_past_its_memory_is_stopped(app, db):
    key = seal_keys.seal_key()
    limits = sandbox.Limits(memory_bytes=256 * 1024 * 1024, cpu_seconds=10, wall_seconds=20)
    try:
        seal = sandbox.check_seal_bounded(hostile.flate_bomb(), roots=key.roots, chain=key.chain, limits=limits)
    except sandbox.Uncheckable as err:
        assert err.reason in ("memory", "crashed", "cpu_time", "wall_time")
    else:
        assert not seal.ok


def test_a_valid_certificate_still_verifies_through_the_sandbox(app, client, db):
    certificate = create_certificate()
    result = verification.check_upload(storage.read(certificate.pdf_path))
    assert result.verdict == "authentic" and result.checked
    response = _upload(client, storage.read(certificate.pdf_path))
    assert response.status_code == 200
    assert "authentic certificate" in response.get_data(as_text=True)
