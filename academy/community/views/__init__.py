"""Community pages under /c: directory, membership, threads, files, search and moderation.

Every page needs a login. Pages with member content answer 404 to anyone who may not read
the community, so a non-member cannot even learn which threads or files exist.
"""

from __future__ import annotations

from academy.community.documents import checkout_views, file_views, history_views  # noqa: F401  (routes register on bp)
from academy.community.documents import views as document_views  # noqa: F401
from academy.community.views import directory, files, members, moderation, threads  # noqa: F401
from academy.community.views.common import bp

__all__ = ["bp"]
