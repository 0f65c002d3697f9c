from sqlalchemy import select

from academy import jobs
from academy.certificates import jobs as certificate_jobs
from academy.certificates import services
from academy.certificates.models import Certificate
from academy.notifications.models import Notification
from tests.certificates.factories import create_course, create_enrolment
from tests.conftest import read_mail
from tests.factories import create_user


def test_the_holder_is_told_in_app_and_by_mail_when_issued_and_when_revoked(app, db):
    holder = create_user(email="mira@example.org")
    admin = create_user(admin=True)
    course = create_course(title="Jems for controllers", lessons=1)
    enrolment = create_enrolment(user=holder, course=course, done=["lesson-1"])

    certificate_jobs.notify_progress(enrolment.id)
    jobs.run_ready()
    certificate = db.session.scalar(select(Certificate))
    kinds = db.session.scalars(select(Notification.event).where(Notification.user_id == holder.id)).all()
    assert kinds == ["certificate.issued"]
    mails = read_mail(app)
    assert len(mails) == 1 and "mira@example.org" in mails[0] and "Jems for controllers" in mails[0]

    services.revoke(certificate, actor=admin, reason="issued_in_error", note="")
    db.session.commit()
    jobs.run_ready()
    kinds = db.session.scalars(select(Notification.event).where(Notification.user_id == holder.id)).all()
    assert sorted(kinds) == ["certificate.issued", "certificate.revoked"]
    assert len(read_mail(app)) == 2
