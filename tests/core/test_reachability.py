"""Every page a persona may use is reachable by clicking from `/` (links and GET forms only).

The world is the demo seed (`flask academy seed-demo`) plus what a day of use adds: an enrolment
with a submitted quiz and a certificate, an essay to grade, a co-owner, a community contact.
Each persona crawls from `/`; the test fails for every GET route of the URL map that the persona
may use (MAY_USE) but did not reach, and for any route nobody has classified yet.
"""

from __future__ import annotations

from sqlalchemy import select

from academy import demo
from academy.auth import services as auth_services
from academy.certificates import services as certificate_services
from academy.community.documents.services import create_document
from academy.community.models import Community, MemberRole, ThreadKind
from academy.community.services import files, threads
from academy.courses.models import Course, CourseStatus
from academy.extensions import db
from academy.quizzes.models import Quiz
from academy.quizzes.services import attempts
from tests.certificates.factories import complete_lessons, create_enrolment
from tests.community.factories import add_member, pdf_bytes
from tests.crawl import crawl
from tests.factories import create_user

VISITOR, LEARNER, TRAINER, COOWNER, CONTACT, ADMIN = "visitor", "learner", "trainer", "co-owner", "contact", "admin"
EVERYONE = frozenset({VISITOR, LEARNER, TRAINER, COOWNER, CONTACT, ADMIN})
SIGNED_IN = EVERYONE - {VISITOR}
COURSE_MANAGERS = frozenset({TRAINER, COOWNER, ADMIN})

# Routes nobody reaches by clicking through the site, and why (short on purpose).
NOT_CLICKED = {
    "static": "assets",
    "ops.healthz": "for load balancers",
    "ops.readyz": "for load balancers",
    "metrics.metrics": "for Prometheus",
    "community.invitation": "link in an e-mail",
    "courses.accept_ownership": "link in an e-mail",
    "community.document_presence": "polled by the document page's script",
    "community.download_document": "file download",
    "community.document_file": "an image or file inside a document (shown or downloaded from its text)",
    "community.edit_document": "opened by the POST of the document's Edit button (it says who is editing)",
    "auth.confirm_registration": "link in an e-mail",
    "auth.reset_password": "link in an e-mail",
    "notifications.unsubscribe": "link in an e-mail",
    "programmes.calendar": ".ics file for calendar apps",
    "certificates.download": "PDF download",
    "certificates.export_download": "ZIP download, prepared by a POST",
    "certificates.verify_json": "machine-readable twin of the verification page",
    "community.download": "file download",
    "community.download_version": "file download",
    "courses.course_file": "lesson image or file download (the lesson page embeds or links it)",
    "programmes.roster_csv": "CSV download",
    "programmes.certificates_csv": "CSV download",
    "quizzes.bank_export": "GIFT download",
    "quizzes.quiz_analysis_csv": "CSV download",
    "quizzes.gradebook_csv": "CSV download",
    "quizzes.attempt": "opened by the POST that starts an attempt",
    "quizzes.confirm_submit": "opened from an attempt in progress",
    "credentials.credential": "machine-readable credential, linked from the PDF and QR code",
    "credentials.issuer": "machine-readable issuer profile",
    "credentials.jwks": "machine-readable keys",
    "credentials.status_list": "machine-readable revocation list",
    "credentials.verify_worker": "service worker script",
    "credentials.verify_offline": "the service worker's page when there is no connection",
}

# Who may use each GET page (persona names), for every GET route outside NOT_CLICKED and the API (api.*).
MAY_USE: dict[str, frozenset[str]] = {
    "core.home": EVERYONE,
    "auth.login": frozenset({VISITOR}),
    "auth.register": frozenset({VISITOR}),
    "auth.forgot_password": frozenset({VISITOR}),
    "auth.profile": SIGNED_IN,
    "auth.change_password": SIGNED_IN,
    "api_pages.docs": EVERYONE,  # linked from the footer
    "api_pages.tokens": SIGNED_IN,
    "admin.index": frozenset({ADMIN}),
    "admin.users": frozenset({ADMIN}),
    "admin.user_detail": frozenset({ADMIN}),
    "admin.communities": frozenset({ADMIN}),
    "admin.new_community": frozenset({ADMIN}),
    "admin.edit_community": frozenset({ADMIN}),
    "admin.signing_keys": frozenset({ADMIN}),
    "notifications.admin_jobs": frozenset({ADMIN}),
    "notifications.index": SIGNED_IN,
    "notifications.preferences": SIGNED_IN,
    "certificates.mine": SIGNED_IN,
    "certificates.detail": frozenset({LEARNER}),
    "certificates.my_verification": frozenset({LEARNER}),
    "certificates.verify_form": EVERYONE,  # the footer's "Verify a certificate"
    "certificates.verify": frozenset({LEARNER}),
    "certificates.verify_upload": EVERYONE,
    "certificates.course_list": COURSE_MANAGERS,
    "certificates.revoke": COURSE_MANAGERS,
    "certificates.reissue": COURSE_MANAGERS,
    "courses.catalogue": EVERYONE,
    "courses.course": EVERYONE,
    "courses.lesson": frozenset({LEARNER}),
    "courses.my_learning": SIGNED_IN,
    "quizzes.quiz": frozenset({LEARNER}),
    "quizzes.result": frozenset({LEARNER}),
    "programmes.catalogue": EVERYONE,
    "programmes.programme": EVERYONE,
    # Communities are for signed-in people; the learner is a member, the contact and the trainer run one.
    "community.index": SIGNED_IN,
    "community.show": SIGNED_IN,
    "community.search_all": SIGNED_IN,
    "community.search": frozenset({LEARNER, TRAINER, CONTACT, ADMIN}),
    "community.thread": frozenset({LEARNER, TRAINER, CONTACT, ADMIN}),
    "community.files": frozenset({LEARNER, TRAINER, CONTACT, ADMIN}),
    "community.file_detail": frozenset({LEARNER, TRAINER, CONTACT, ADMIN}),
    "community.members": frozenset({LEARNER, TRAINER, CONTACT, ADMIN}),
    "community.new_thread": frozenset({LEARNER, TRAINER, CONTACT}),
    "community.edit_post": frozenset({LEARNER}),
    "community.post_history": frozenset({TRAINER, CONTACT, ADMIN}),  # moderators only
    "community.moderation": frozenset({TRAINER, CONTACT, ADMIN}),
    "community.requests": frozenset({TRAINER, CONTACT, ADMIN}),
    "community.documents": frozenset({LEARNER, TRAINER, CONTACT, ADMIN}),
    "community.document": frozenset({LEARNER, TRAINER, CONTACT, ADMIN}),
    "community.document_history": frozenset({LEARNER, TRAINER, CONTACT, ADMIN}),
    "community.new_document": frozenset({LEARNER, TRAINER, CONTACT}),
    # The course workspace, for owners (and admins, who may manage every course).
    **{
        endpoint: COURSE_MANAGERS
        for endpoint in (
            "courses.trainer_courses",
            "courses.new_course",
            "courses.manage",
            "courses.settings",
            "courses.edit_course",
            "courses.new_outcome",
            "courses.edit_outcome",
            "courses.new_module",
            "courses.edit_module",
            "courses.new_lesson",
            "courses.edit_lesson",
            "courses.preview_course",
            "courses.preview_lesson",
            "quizzes.bank_index",
            "quizzes.bank_import",
            "quizzes.question_new",
            "quizzes.question_edit",
            "quizzes.question_preview",
            "quizzes.teach_quizzes",
            "quizzes.quiz_new",
            "quizzes.quiz_edit",
            "quizzes.accommodations",
            "quizzes.quiz_slots",
            "quizzes.quiz_preview",
            "quizzes.grading_queue",
            "quizzes.gradebook_page",
            "quizzes.mastery",
            "quizzes.quiz_analysis",
        )
    },
    # Programmes: the demo trainer runs the demo programme.
    **{
        endpoint: frozenset({TRAINER, ADMIN})
        for endpoint in (
            "programmes.trainer_index",
            "programmes.manage",
            "programmes.certificates",
            "programmes.roster",
            "programmes.edit_session",
            "programmes.add_date",
            "programmes.cancel_session",
        )
    },
}


def _get_routes(app) -> set[str]:
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.endpoint.startswith("api.")
    }


def _build_world(app) -> dict[str, object]:
    """The demo seed, plus a learner's certificate and quiz result, an essay to grade, a co-owner, a contact."""
    for _line in demo.seed():
        pass
    db.session.commit()
    by_email = auth_services.get_user_by_email
    learner, trainer, admin = (by_email(f"{who}@academy.example") for who in ("learner", "trainer", "admin"))
    quiz = db.session.scalars(
        select(Quiz).join(Course).where(Quiz.published.is_(True), Course.status == CourseStatus.PUBLISHED)
    ).first()
    course = quiz.course
    enrolment = create_enrolment(user=learner, course=course, commit=False)
    complete_lessons(enrolment, commit=False)
    certificate_services.issue_for_enrolment(enrolment, force=True)
    attempt = attempts.start_attempt(quiz, learner)
    attempts.submit_attempt(attempt)
    coowner = create_user(name="Cora Co-owner", trainer=True, commit=False)
    course.owners.append(coowner)
    community = db.session.scalars(select(Community).order_by(Community.id)).first()
    contact = create_user(name="Carl Contact", commit=False)
    add_member(community=community, user=contact, role=MemberRole.CONTACT, commit=False)
    add_member(community=community, user=learner, commit=False)
    thread = threads.create_thread(
        community=community,
        author=learner,
        kind=ThreadKind.QUESTION,
        title="Minutes of the monitoring committee",
        body="Where do we file these?",
        uploads=[files.Upload(filename="minutes.pdf", data=pdf_bytes())],
    )
    threads.edit_post(post=thread.posts[0], editor=learner, body="Where do we file these minutes?")
    create_document(community=community, author=learner, title="Checklist", body="- Sample ten files.")
    db.session.commit()
    return {VISITOR: None, LEARNER: learner, TRAINER: trainer, COOWNER: coowner, CONTACT: contact, ADMIN: admin}


def test_every_route_is_classified(app):
    """A new GET page must say who uses it (MAY_USE) or why nobody clicks to it (NOT_CLICKED)."""
    routes = _get_routes(app)
    assert sorted(routes - set(MAY_USE) - set(NOT_CLICKED)) == []
    assert sorted((set(MAY_USE) | set(NOT_CLICKED)) - routes) == []


def test_every_persona_reaches_every_page_they_may_use(app, db, login, capsys):
    personas = _build_world(app)
    missing: dict[str, list[str]] = {}
    errors: list[str] = []
    for name, user in personas.items():
        client = app.test_client()
        if user is not None:
            login(user, on=client)
        result = crawl(app, client, start="/", per_endpoint=6)
        errors += [f"{name}: {e}" for e in result.errors]
        with capsys.disabled():
            print(f"\n{name}: reached {len(result.pages)} pages, {len(result.endpoints)} routes")
            for url in sorted(result.pages):
                print(f"  {url}")
        wanted = {endpoint for endpoint, who in MAY_USE.items() if name in who}
        gap = sorted(wanted - result.endpoints)
        if gap:
            missing[name] = gap
    assert errors == []
    report = "\n".join(f"{name} cannot reach by clicking: {', '.join(gap)}" for name, gap in missing.items())
    assert not missing, report
