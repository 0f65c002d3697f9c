"""Course forms: catalogue filters, course details, outcomes, modules, lessons, owners, ordering."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DecimalField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from academy.courses.models import Level
from academy.inputs import FiniteDecimalField
from academy.lesson_markdown import media_problems

LEVEL_LABELS = {
    Level.INTRODUCTORY: _l("Introductory"),
    Level.INTERMEDIATE: _l("Intermediate"),
    Level.ADVANCED: _l("Advanced"),
}

LANGUAGES = (
    ("en", _l("English")),
    ("de", _l("German")),
    ("fr", _l("French")),
    ("es", _l("Spanish")),
    ("it", _l("Italian")),
    ("pl", _l("Polish")),
    ("hr", _l("Croatian")),
    ("sl", _l("Slovenian")),
    ("hu", _l("Hungarian")),
    ("cs", _l("Czech")),
)


def language_label(code: str) -> str:
    """A language's name for display, or its code when unknown."""
    return str(dict(LANGUAGES).get(code, code))


def level_label(level: Level | str) -> str:
    """A level's name for display."""
    try:
        return str(LEVEL_LABELS[Level(level)])
    except ValueError:
        return str(level)


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes for a multiple choice; each box has its own label."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CatalogueFilterForm(FlaskForm):
    """Search and filters on the catalogue (GET, no CSRF)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    topic = SelectField(_l("Topic"), choices=[], validate_choice=False)
    language = SelectField(_l("Language"), choices=[], validate_choice=False)
    level = SelectField(_l("Level"), choices=[], validate_choice=False)

    def set_choices(self, topics: list[str], languages: list[str]) -> None:
        """Fill the menus with what the catalogue holds."""
        self.topic.choices = [("", _l("All topics"))] + [(t, t) for t in topics]
        self.language.choices = [("", _l("All languages"))] + [(c, language_label(c)) for c in languages]
        self.level.choices = [("", _l("All levels"))] + [(lvl.value, label) for lvl, label in LEVEL_LABELS.items()]


def _half_steps(form: FlaskForm, field: DecimalField) -> None:
    if field.data is not None and (field.data * 2) % 1 != 0:
        raise ValidationError(_l("Credits go in steps of 0.5."))


class CourseForm(FlaskForm):
    """A course's details (the slug only when creating)."""

    slug = StringField(
        _l("Web address"),
        validators=[
            Optional(),
            Length(max=80),
            Regexp(
                r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                message=_l("Use lower-case letters, digits and single hyphens, for example “jems-basics”."),
            ),
        ],
        description=_l(
            "Part of the course's address: /courses/<this>. Leave it empty to make it from the title. "
            "It cannot change later."
        ),
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField(
        _l("Summary"),
        validators=[DataRequired(), Length(max=600)],
        description=_l("One or two sentences shown in the catalogue."),
        render_kw={"rows": 3},
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Optional(), Length(max=20000)],
        description=_l("Markdown. Who the course is for and what it covers."),
        render_kw={"rows": 8},
    )
    topic = StringField(
        _l("Topic"),
        validators=[DataRequired(), Length(max=80)],
        description=_l("For example Programme management, Finance, Communication, Monitoring."),
    )
    language = SelectField(_l("Language"), choices=LANGUAGES, default="en")
    level = SelectField(
        _l("Level"),
        choices=[(lvl.value, label) for lvl, label in LEVEL_LABELS.items()],
        default=Level.INTRODUCTORY.value,
    )
    hours = FiniteDecimalField(
        _l("Estimated hours"),
        places=1,
        validators=[InputRequired(), NumberRange(min=Decimal("0.5"), max=Decimal("500"))],
        default=Decimal("1"),
    )
    credits = FiniteDecimalField(
        _l("Credits (ECTS)"),
        places=1,
        validators=[Optional(), NumberRange(min=0, max=60), _half_steps],
        default=Decimal("0"),
        description=_l("In steps of 0.5; 0 when the course gives no credits."),
    )
    sequential = BooleanField(_l("Learners take the modules in order"))
    validity_months = IntegerField(
        _l("Certificate valid for (months)"),
        validators=[Optional(), NumberRange(min=1, max=240)],
        description=_l("Leave empty if the certificate does not expire."),
    )
    submit = SubmitField(_l("Save course"))

    def values(self) -> dict:
        """The course fields as keyword arguments for the services."""
        return {
            "title": self.title.data.strip(),
            "summary": self.summary.data.strip(),
            "description": (self.description.data or "").strip(),
            "topic": self.topic.data.strip(),
            "language": self.language.data,
            "level": Level(self.level.data),
            "hours": self.hours.data,
            "credits": self.credits.data or Decimal("0"),
            "sequential": bool(self.sequential.data),
            "validity_months": self.validity_months.data,
        }


class OutcomeForm(FlaskForm):
    """A learning outcome."""

    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(),
            Length(max=20),
            Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]*$", message=_l("Use letters and digits, such as LO1.")),
        ],
        description=_l("A short code, such as LO1."),
    )
    text = TextAreaField(
        _l("What the learner can do"),
        validators=[DataRequired(), Length(max=1000)],
        description=_l("Start with a verb: “Explain…”, “Calculate…”, “Choose…”."),
        render_kw={"rows": 3},
    )
    threshold = IntegerField(
        _l("Mastery threshold (%)"),
        validators=[InputRequired(), NumberRange(min=0, max=100)],
        default=70,
        description=_l("The share of this outcome's quiz points a learner needs to master it."),
    )
    submit = SubmitField(_l("Save outcome"))


class ModuleForm(FlaskForm):
    """A module."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 3})
    prerequisites = MultiCheckboxField(
        _l("Modules to finish first"),
        choices=[],
        description=_l("Only earlier modules can be chosen."),
    )
    submit = SubmitField(_l("Save module"))


class LessonForm(FlaskForm):
    """A lesson, with a server-side preview of its Markdown."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    module = SelectField(_l("Module"), choices=[])
    body = TextAreaField(
        _l("Lesson text"),
        validators=[DataRequired(), Length(max=100000)],
        description=_l(
            "Markdown: # headings, **bold**, *italic*, - lists, [links](https://…), tables. "
            "A video: ![what the video shows](https://www.youtube.com/watch?v=…) (YouTube or Vimeo)."
        ),
        render_kw={"rows": 18, "data-markdown-preview": "lesson-preview", "data-markdown-toolbar": "1"},
    )
    minutes = IntegerField(
        _l("Estimated minutes"), validators=[InputRequired(), NumberRange(min=1, max=600)], default=10
    )
    required = BooleanField(_l("Required to complete the course"), default=True)
    outcomes = MultiCheckboxField(_l("Learning outcomes this lesson teaches"), choices=[])
    upload = FileField(
        _l("Image or file"),
        description=_l("PNG, JPG, GIF or WebP images; PDF, office documents, CSV or text files to download."),
    )
    upload_alt = StringField(
        _l("Text alternative (required for an image)"),
        validators=[Optional(), Length(max=500)],
        description=_l("What the image shows, for people who cannot see it."),
    )
    insert = SubmitField(_l("Upload and insert"))
    preview = SubmitField(_l("Preview"))
    submit = SubmitField(_l("Save lesson"))

    def validate_body(self, field) -> None:  # noqa: ANN001
        """Every image and video needs its text alternative, the part between ![ and ]."""
        if media_problems(field.data or ""):
            raise ValidationError(_l("Give every image and video a text alternative: ![what it shows](…)."))


class OwnerForm(FlaskForm):
    """Add a co-owner by e-mail."""

    email = EmailField(_l("Co-owner's e-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    submit = SubmitField(_l("Add co-owner"))


class MoveForm(FlaskForm):
    """Move an item up or down (a button-only form)."""

    direction = HiddenField(validators=[DataRequired(), AnyOf(("up", "down"))])
