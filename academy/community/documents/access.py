"""The one rule for documents: read with the community, edit unless locked, archived or restricted."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from academy.auth.models import User
from academy.community.access import Access, access_for
from academy.community.documents.models import Document


@dataclass(frozen=True)
class DocumentAccess:
    """What one person may do with one document, and why not when they may not edit."""

    community: Access
    can_edit: bool
    reason: str

    @property
    def can_read(self) -> bool:
        """Members (and admins) read every document of the community."""
        return self.community.can_view

    @property
    def can_manage(self) -> bool:
        """Contact persons (and admins) lock, archive and restrict."""
        return self.community.can_moderate


def document_access(user: User, document: Document, access: Access | None = None) -> DocumentAccess:
    """The user's rights on the document; `access` saves a query when the caller has it."""
    access = access or access_for(user, document.community)
    reason = ""
    if not access.can_post:
        reason = _("Only members of this community can edit its documents.")
    elif document.is_archived:
        reason = _("This document is archived, so it can no longer be edited.")
    elif document.is_locked:
        reason = _("A contact person has locked this document; it is read-only.")
    elif document.is_restricted and not access.can_moderate and user.id not in {e.user_id for e in document.editors}:
        reason = _("Only the members named by a contact person can edit this document.")
    return DocumentAccess(community=access, can_edit=not reason, reason=reason)
