"""One world for the security tests: a course, a quiz, a certificate, a community, and eleven personas."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from academy.api import services as api_services
from academy.auth import registration
from academy.auth import services as auth_services
from academy.auth.models import User
from academy.certificates import services as certificate_services
from academy.certificates.models import CertificateExport, ExportStatus
from academy.community.models import Flag, MemberRole, MemberStatus, Policy
from academy.community.services import files
from academy.community.services import membership as membership_services
from academy.core.files import Upload
from academy.courses.services import files as course_files
from academy.extensions import db
from academy.jobs import JobFailure
from academy.notifications import preferences as notification_preferences
from academy.notifications.models import Delivery, Notification
from academy.quizzes.models import QuestionType
from academy.quizzes.services import bank
from academy.quizzes.spec import QuestionSpec
from tests.certificates.factories import complete_lessons, create_course, create_enrolment
from tests.community.factories import add_member, create_community, create_reply, create_thread, pdf_bytes, png_bytes
from tests.factories import create_user
from tests.notifications.factories import record_event
from tests.programmes.factories import create_programme, create_registration, create_session
from tests.quizzes.factories import DATA, create_quiz, take_attempt

PERSONAS = (
    "anonymous",
    "learner",
    "enrolled",
    "owner",
    "other_trainer",
    "member",
    "non_member",
    "contact",
    "admin",
    # Owns the course and the programme, but an admin has taken the trainer role away since.
    "former_trainer",
    # Joined the community through its parent (open to the parent's members), then removed from the parent.
    "removed_member",
)


@dataclass
class SecurityWorld:
    """Every object a route of the URL map can name, and the eleven people who try them."""

    people: dict[str, User | None]
    objects: dict[str, Any] = field(default_factory=dict)
    url_values: dict[str, Any] = field(default_factory=dict)


def build_world() -> SecurityWorld:
    """Create the world in the current app's database and commit it."""
    owner = create_user(name="Olga Owner", trainer=True)
    people: dict[str, User | None] = {
        "anonymous": None,
        "learner": create_user(name="Lena Learner"),
        "enrolled": create_user(name="Erik Enrolled"),
        "owner": owner,
        "other_trainer": create_user(name="Otto Othertrainer", trainer=True),
        "member": create_user(name="Mia Member"),
        "non_member": create_user(name="Nils Nonmember"),
        "contact": create_user(name="Carla Contact"),
        "admin": create_user(name="Ada Admin", admin=True),
        "former_trainer": create_user(name="Fritz Formertrainer", trainer=True),
        "removed_member": create_user(name="Rita Removed"),
    }
    enrolled = people["enrolled"]

    # A published course the owner owns, with a question bank, a quiz and an enrolled learner
    # who took the quiz (an essay waiting for grading) and earned a certificate.
    course = create_course(
        title="Reporting in Jems",
        slug="jems-reporting",
        owners=[owner, people["former_trainer"]],
        lessons=2,
        outcomes=2,
    )
    single = _question(course, "single", "Who submits the progress report?")
    essay = _question(course, "essay", "Describe your audit trail.")
    quiz = create_quiz(course, questions=[single, essay])
    enrolment = create_enrolment(user=enrolled, course=course)
    attempt = take_attempt(quiz, enrolled, {1: 0, 2: "We keep every invoice."})
    essay_response = next(r for r in attempt.responses if r.question_id == essay.id)
    complete_lessons(enrolment)
    certificate = certificate_services.issue_for_enrolment(enrolment, force=True)
    export = CertificateExport(course=course, requested_by=owner, status=ExportStatus.PENDING)
    db.session.add(export)
    lesson_file = course_files.upload_file(
        course, uploader=owner, upload=Upload("map.png", png_bytes()), alt_text="A map of the area"
    )
    db.session.commit()
    code = certificate_services.stored_code(certificate)

    # A community with its contact person, a member's question with a file, a reply, a flag and
    # a pending request; the non-member belongs to another community only.
    # The community is a sub-community of Finance, open to Finance's members.
    finance_contact = create_user(name="Fabian Financecontact")
    finance = create_community(name="Finance", slug="finance", contact=finance_contact)
    community = create_community(
        name="Controllers", slug="controllers", contact=people["contact"], parent=finance, policy=Policy.PARENT_MEMBERS
    )
    add_member(community=community, user=people["member"])
    add_member(community=create_community(name="Elsewhere", slug="elsewhere"), user=people["non_member"])
    thread = create_thread(
        community=community,
        author=people["member"],
        title="Sampling for first level control",
        body="How do you sample?",
        uploads=[files.Upload("minutes.pdf", pdf_bytes())],
    )
    reply = create_reply(thread=thread, author=people["contact"], body="Ten percent.")
    pending = add_member(community=community, status=MemberStatus.PENDING, message="Let me in")
    flag = Flag(post=reply, community_id=community.id, reporter=people["member"], reason="Off topic")
    db.session.add(flag)

    # The learner's own things: a notification with an e-mail delivery, an API token; a failed job.
    record_event(recipients=[people["learner"]], event="mention")
    notification = db.session.scalars(db.select(Notification).filter_by(user_id=people["learner"].id)).first()
    delivery = db.session.scalars(db.select(Delivery).filter_by(user_id=people["learner"].id)).first()
    if delivery is None:
        delivery = Delivery(notification=notification, user_id=people["learner"].id)
        db.session.add(delivery)
    token = api_services.create_token(people["learner"], name="Script", scopes=["read"], expires_in_days=None)
    failure = JobFailure(queue="default", func_path="academy.jobs.nothing", args=[], kwargs={}, error="boom")
    db.session.add(failure)
    db.session.commit()
    assert MemberRole.CONTACT  # the contact joined through create_community(contact=...)

    # The removed member joined Controllers at once as a Finance member, then Finance removed them.
    add_member(community=finance, user=people["removed_member"])
    membership_services.request_membership(community=community, user=people["removed_member"], message="")
    db.session.commit()
    membership_services.remove_member(community=finance, user_id=people["removed_member"].id, actor=finance_contact)
    db.session.commit()

    # A published programme the owner owns (the course and a session); the enrolled learner has a seat.
    programme = create_programme(title="Reporting track", owner=owner, courses=[course])
    programme.owners.append(people["former_trainer"])
    # Then an admin took the co-owner's trainer role away (they still own the course and the programme).
    auth_services.set_role(people["former_trainer"], "trainer", False, actor=people["admin"])
    db.session.commit()
    session = create_session(programme=programme, title="Reporting clinic", capacity=5)
    create_registration(session=session, user=enrolled)
    part = next(p for p in programme.parts if p.session_id is None)

    module = course.published_version.modules[0]
    lesson = module.lessons[0]
    outcome = course.published_version.outcomes[0]
    from academy.credentials import services as credential_services

    credential = credential_services.of_certificate(certificate)
    from academy.community.documents import services as document_services

    document = document_services.create_document(
        community=community, author=people["member"], title="Audit checklist", body="Check the invoices."
    )
    from academy.community.documents import files as document_files

    document_file = document_files.add_file(
        document=document, uploader=people["member"], upload=Upload("map.png", png_bytes()), alt="A map"
    )
    db.session.commit()
    world = SecurityWorld(people=people)
    world.objects = {
        "course": course,
        "community": community,
        "certificate": certificate,
        "quiz": quiz,
        "attempt": attempt,
        "thread": thread,
        "reply": reply,
        "pending": pending,
        "flag": flag,
        "token": token,
        "notification": notification,
        "delivery": delivery,
        "failure": failure,
        "export": export,
        "programme": programme,
        "session": session,
    }
    world.url_values = {
        "course_slug": course.slug,
        "community_slug": community.slug,
        "community_id": community.id,
        "programme_slug": programme.slug,
        "session_id": session.id,
        "part_id": part.id,
        "module_key": module.key,
        "lesson_key": lesson.key,
        "outcome_key": outcome.key,
        "quiz_id": quiz.id,
        "attempt_id": attempt.id,
        "question_id": single.id,
        "response_id": essay_response.id,
        "slot_id": quiz.slots[0].id,
        "certificate_id": certificate.id,
        "export_id": export.id,
        "code": code,
        "public_id": credential.public_id,
        "list_id": credential.status_list_id,
        "thread_id": thread.id,
        "post_id": reply.id,
        "attachment_id": thread.posts[0].attachments[0].id,
        "file_id": lesson_file.id,
        "name": lesson_file.filename,
        "document_id": document.id,
        "document_file_id": document_file.id,
        "fmt": "pdf",
        "number": 1,
        "membership_id": pending.id,
        "member_user_id": people["member"].id,
        "learner_user_id": people["learner"].id,
        "flag_id": flag.id,
        "token_id": token.id,
        "notification_id": notification.id,
        "delivery_id": delivery.id,
        "failure_id": failure.id,
        "reset_token": auth_services.make_reset_token(people["learner"]),
        "registration_token": registration.start(
            name="Nova Newcomer", email="nova.newcomer@example.org", password="a long new passphrase"
        ).token,
        "unsubscribe_token": notification_preferences.unsubscribe_token(people["learner"].id),
        "queue": "default",
        "job_id": "no-such-job",
        "filename": "css/academy.css",
    }
    return world


def _question(course, kind: str, text: str):
    spec = QuestionSpec(type=QuestionType(kind), title=text, text=text, data=DATA[kind])
    return bank.create_question(course, spec, [course.published_version.outcomes[0].key])


@pytest.fixture
def security_world(app) -> SecurityWorld:
    """The world, committed."""
    return build_world()
