"""Hostile text in titles, bodies, mentions, names, reasons and file names is inert everywhere."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from markupsafe import escape

from academy.community.models import MemberStatus
from academy.community.services import files, membership, moderation, threads
from academy.extensions import db
from tests.community.factories import add_member, contact_of, create_community, create_reply, create_thread, pdf_bytes
from tests.factories import create_user

PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>',
    "<svg/onload=alert(3)>",
    "[click](javascript:alert(4))",
    '<a href="javascript:alert(5)">x</a>',
    "<iframe src=//evil.example></iframe>",
    "';alert(6)//",
    '<div style="background:url(javascript:alert(7))">',
    "<details open ontoggle=alert(8)>",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCg5KTwvc2NyaXB0Pg==)",
)


class _Audit(HTMLParser):
    """Collects everything in a page that could run script."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        # Our own scripts come from /static/ (the CSP allows nothing else); anything else is injected.
        own_script = tag == "script" and (attributes.get("src") or "").startswith("/static/js/")
        if tag in ("script", "iframe", "svg", "object", "embed") and not own_script:
            self.problems.append(f"<{tag}>")
        if tag == "img" and not (attributes.get("src") or "").startswith("/static/"):
            self.problems.append("<img> from elsewhere")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag} {name}=")
            if name == "style":
                self.problems.append(f"{tag} style=")
            risky = ("javascript:", "data:", "//")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(risky):
                self.problems.append(f"{tag} {name}={value}")


def assert_inert(html: str) -> None:
    audit = _Audit()
    audit.feed(html)
    assert not audit.problems, audit.problems


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_are_inert_on_every_page(client, login, payload):
    community = create_community()
    contact = contact_of(community)
    evil = add_member(community=community, user=create_user(name=f"Eve {payload}")).user
    thread = create_thread(
        community=community,
        author=evil,
        title=f"Title {payload}",
        body=f"Body {payload} and a mention of @[Eve {payload}]",
        # A slash would be read as a folder and dropped; everything else of the payload stays.
        uploads=[files.Upload(f"file {payload.replace('/', '')}.pdf", pdf_bytes())],
    )
    reply = create_reply(thread=thread, author=contact, body=f"Reply {payload}")
    threads.edit_post(post=thread.posts[0], editor=evil, body=f"Edited {payload}", title=f"New {payload}")
    moderation.flag_post(post=reply, reporter=evil, reason=f"Reason {payload}")
    pending = add_member(
        community=community,
        status=MemberStatus.PENDING,
        message=f"Let me in {payload}",
        user=create_user(name=f"Pat {payload}", organisation=f"Org {payload}"),
    )
    rejected = add_member(community=community, status=MemberStatus.PENDING, message="hi")
    membership.reject_request(community=community, membership_id=rejected.id, actor=contact, reason=f"No {payload}")
    db.session.commit()
    attachment = thread.posts[0].attachments[0]
    slug = community.slug
    pages = [
        "/c/",
        f"/c/{slug}",
        f"/c/{slug}/t/{thread.id}",
        f"/c/{slug}/files",
        f"/c/{slug}/files/{attachment.id}",
        f"/c/{slug}/members",
        f"/c/{slug}/requests",
        f"/c/{slug}/moderation",
        f"/c/{slug}/p/{thread.posts[0].id}/history",
        f"/c/{slug}/search?q=Title",
        "/c/search?q=Reply",
        f"/c/{slug}/p/{reply.id}/edit",
    ]
    login(contact)
    for page in pages:
        response = client.get(page)
        assert response.status_code in (200, 403), page
        assert_inert(response.get_data(as_text=True))
    # The text is there, shown as text.
    html = client.get(f"/c/{slug}/t/{thread.id}").get_data(as_text=True)
    assert str(escape(f"New {payload}")) in html
    assert str(escape(f"Eve {payload}")) in html
    login(rejected.user)
    assert_inert(client.get(f"/c/{slug}").get_data(as_text=True))
    login(pending.user)
    assert_inert(client.get(f"/c/{slug}").get_data(as_text=True))
    response = client.get(f"/c/{slug}/files/{attachment.id}/download")
    assert response.status_code == 404  # pending: no files
    login(evil)
    response = client.get(f"/c/{slug}/files/{attachment.id}/download")
    disposition = response.headers["Content-Disposition"]
    assert "\n" not in disposition and "\r" not in disposition
    assert disposition.startswith("attachment;")


def test_the_audit_catches_live_markup():
    with pytest.raises(AssertionError):
        assert_inert('<p><img src=x onerror="alert(1)"></p>')
    with pytest.raises(AssertionError):
        assert_inert('<a href="javascript:alert(1)">x</a>')
