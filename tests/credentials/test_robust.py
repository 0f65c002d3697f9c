"""Whatever a verifier sends, verification answers (never raises), and only the original is valid."""

from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from academy.credentials import services
from tests.credentials.factories import create_certificate, document_of

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)
PATHS = [
    ("@context",),
    ("type",),
    ("issuer",),
    ("validFrom",),
    ("credentialStatus",),
    ("credentialStatus", "statusListIndex"),
    ("credentialSubject",),
    ("credentialSubject", "achievement"),
    ("proof",),
    ("proof", 0, "proofValue"),
    ("proof", 0, "created"),
    ("proof", 0, "cryptosuite"),
]


def test_changed_credentials_are_answered_and_never_valid(app, db):
    original = document_of(create_certificate())

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(path=st.sampled_from(PATHS), value=JSON)
    def check(path, value):
        document = copy.deepcopy(original)
        target = document
        for step in path[:-1]:
            target = target[step]
        if target[path[-1]] == value:
            return
        target[path[-1]] = value
        result = services.verify(document)
        assert result.verdict == "invalid", (path, value, result)

    check()
    assert services.verify(original).verdict == "valid"
