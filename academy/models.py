"""Imports every feature's models so metadata (and Alembic) sees all tables."""

from academy.api.models import ApiToken  # noqa: F401
from academy.auth.models import Role, User, UserSession  # noqa: F401
from academy.certificates.models import Certificate, CertificateExport  # noqa: F401
from academy.community import marks as community_marks  # noqa: F401
from academy.community import models as community_models  # noqa: F401
from academy.community.documents import models as document_models  # noqa: F401
from academy.courses.models import (  # noqa: F401
    Course,
    CourseVersion,
    Enrolment,
    LearningOutcome,
    Lesson,
    LessonProgress,
    Module,
)
from academy.credentials.models import Credential, IssuerKey, StatusList  # noqa: F401
from academy.jobs import JobFailure  # noqa: F401
from academy.notifications.models import Delivery, DigestRun, Notification, Preference  # noqa: F401
from academy.outbox import JobOutbox  # noqa: F401
from academy.programmes.models import (  # noqa: F401
    Programme,
    ProgrammeEnrolment,
    ProgrammeOutcome,
    ProgrammePart,
    SessionRegistration,
    TrainingSession,
)
from academy.quizzes.models import Attempt, Question, QuestionVersion, Quiz, QuizSlot, Response  # noqa: F401
