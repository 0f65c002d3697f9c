"""Community forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, MultipleFileField
from wtforms import BooleanField, EmailField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Email, Length, Optional

from academy.community.models import ThreadKind, WatchLevel

MARKDOWN_HINT = _l("Markdown works: **bold**, *italic*, lists, links. Mention a member with @[Their Name].")
FILES_HINT = _l(
    "Up to 5 files: PDF, Word, Excel, PowerPoint, OpenDocument, PNG, JPG, CSV or text, %(mb)s MB each at most."
)


class JoinForm(FlaskForm):
    """Ask to join a community."""

    message = TextAreaField(
        _l("Message to the contact persons"),
        validators=[Optional(), Length(max=1000)],
        description=_l("Who you are, your programme and why you would like to join."),
        render_kw={"rows": 4},
    )


class DecisionForm(FlaskForm):
    """Reject a request, remove or suspend a member: a reason the person will read."""

    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=1000)], render_kw={"rows": 2})


class AddMemberForm(FlaskForm):
    """Add an existing account to the community."""

    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    as_contact = BooleanField(_l("Make them a contact person"))


class ThreadForm(FlaskForm):
    """Start a question or a discussion."""

    kind = RadioField(
        _l("Kind"),
        choices=[
            (ThreadKind.QUESTION, _l("Question – others answer, and one answer can be accepted")),
            (ThreadKind.DISCUSSION, _l("Discussion – an open exchange")),
        ],
        default=ThreadKind.QUESTION,
        validators=[DataRequired(), AnyOf(ThreadKind.ALL)],
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(
        _l("Text"), validators=[DataRequired(), Length(max=20000)], description=MARKDOWN_HINT, render_kw={"rows": 10}
    )
    attachments = MultipleFileField(_l("Attach files"), validators=[Optional()])


class ReplyForm(FlaskForm):
    """Reply to a thread."""

    body = TextAreaField(
        _l("Your reply"),
        validators=[DataRequired(), Length(max=20000)],
        description=MARKDOWN_HINT,
        render_kw={"rows": 6},
    )
    attachments = MultipleFileField(_l("Attach files"), validators=[Optional()])


class EditPostForm(FlaskForm):
    """Edit a post (and the title, for the opening post)."""

    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    body = TextAreaField(
        _l("Text"), validators=[DataRequired(), Length(max=20000)], description=MARKDOWN_HINT, render_kw={"rows": 10}
    )
    attachments = MultipleFileField(_l("Attach more files"), validators=[Optional()])


class FlagForm(FlaskForm):
    """Report a post to the contact persons."""

    reason = TextAreaField(
        _l("What is wrong with this post?"), validators=[DataRequired(), Length(max=1000)], render_kw={"rows": 3}
    )


class ModerateForm(FlaskForm):
    """A moderation button: which action."""

    action = HiddenField(
        validators=[DataRequired(), AnyOf(("pin", "unpin", "lock", "unlock", "hide", "unhide", "dismiss"))]
    )


class WatchForm(FlaskForm):
    """How closely to follow a community or thread."""

    level = RadioField(
        _l("Notify me"),
        choices=[
            (WatchLevel.WATCHING, _l("Watching – about every new post")),
            (WatchLevel.NORMAL, _l("Normal – about threads I started or replied to")),
            (WatchLevel.MUTED, _l("Muted – never")),
        ],
        validators=[DataRequired(), AnyOf(WatchLevel.ALL)],
    )


class ShareFileForm(FlaskForm):
    """Share a file from the Files tab: it opens a discussion thread carrying the file."""

    attachment = FileField(_l("File"), validators=[FileRequired(_l("Choose a file to share."))])
    title = StringField(
        _l("Title"),
        validators=[Optional(), Length(max=200)],
        description=_l("Leave empty to use the file's name."),
    )
    note = TextAreaField(
        _l("What is it? (optional)"),
        validators=[Optional(), Length(max=20000)],
        description=MARKDOWN_HINT,
        render_kw={"rows": 3},
    )


class VersionForm(FlaskForm):
    """Upload a new version of a shared file."""

    attachment = FileField(_l("New version"), validators=[DataRequired()])
