"""Document forms: write, save against a base revision, contact-person controls, discussion."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, IntegerField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from academy.community.documents.services import MAX_BODY, MAX_SUMMARY, MAX_TITLE

BODY_HINT = _l(
    "Markdown works: # headings, **bold**, *italic*, lists, tables and links. Leave a blank line between paragraphs."
    " Images and files can be added in the editor, below the text, once the document is saved."
)


class NewDocumentForm(FlaskForm):
    """Start a document."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=MAX_TITLE)])
    body = TextAreaField(
        _l("Text"), validators=[Optional(), Length(max=MAX_BODY)], description=BODY_HINT, render_kw={"rows": 18}
    )
    summary = StringField(
        _l("What you wrote (optional)"),
        validators=[Optional(), Length(max=MAX_SUMMARY)],
        description=_l("A few words for the history page."),
    )


class DocumentForm(NewDocumentForm):
    """Save an edit; `base_revision` names the revision the editor started from."""

    summary = StringField(
        _l("What you changed (optional)"),
        validators=[Optional(), Length(max=MAX_SUMMARY)],
        description=_l("A few words for the history page."),
    )
    base_revision = IntegerField(widget=HiddenField.widget, validators=[InputRequired(), NumberRange(min=1)])


class DocumentFileForm(FlaskForm):
    """An image or file uploaded from the editor (the editor's own fields travel along, unsaved)."""

    upload = FileField(_l("Image or file"), description=_l("PNG or JPG images; PDF, Word, Excel, CSV or text files."))
    alt = StringField(
        _l("Description of the image"),
        validators=[Optional(), Length(max=300)],
        description=_l("Needed for images: what the picture shows, for people who cannot see it."),
    )


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes, one per choice."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ControlsForm(FlaskForm):
    """A contact person's controls over a document."""

    locked = BooleanField(_l("Locked: nobody can edit it until unlocked"))
    archived = BooleanField(_l("Archived: kept read-only, listed under archived documents"))
    restricted = BooleanField(_l("Only the members named below may edit it"))
    editors = MultiCheckboxField(_l("Members who may edit"), coerce=int, validate_choice=False)


class DiscussForm(FlaskForm):
    """A comment on the document, posted in its discussion thread."""

    body = TextAreaField(_l("Your comment"), validators=[DataRequired(), Length(max=20_000)], render_kw={"rows": 4})


class ButtonForm(FlaskForm):
    """A form that is only a button (CSRF token)."""
