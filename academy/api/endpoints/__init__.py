"""Every API endpoint module, imported so its operations register on the blueprint.

To add endpoints: write `academy/api/endpoints/<name>.py` with schemas and `@api_route` views, and
import it below. Nothing else needs to change: the OpenAPI document and the reference page follow.
"""

from academy.api import spec  # noqa: F401  (/api/v1/openapi.json)
from academy.api.core import bp
from academy.api.endpoints import (  # noqa: F401
    certificates,
    communities,
    community_actions,
    courses,
    credentials,
    document_files,
    documents,
    enrolments,
    me,
    notifications,
    programme_enrolments,
    programmes,
    quizzes,
)

__all__ = ["bp"]
