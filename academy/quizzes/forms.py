"""Forms of the question bank, quiz settings, slots, GIFT import and essay grading."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    FloatField,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from academy.inputs import FiniteDecimalField
from academy.quizzes.models import GradingMethod, QuestionType, SlotKind, TextFormat
from academy.quizzes.qtypes import TYPE_LABELS

# Rows a new question starts with; "Add another answer" adds one at a time (up to MAX_ANSWER_ROWS),
# and an edited question shows its answers plus SPARE_ROWS empty ones.
ANSWER_ROWS = 4
SPARE_ROWS = 1
MAX_ANSWER_ROWS = 30

FORMAT_CHOICES = [
    (TextFormat.MOODLE.value, _l("Moodle auto-format (HTML allowed, line breaks kept)")),
    (TextFormat.MARKDOWN.value, _l("Markdown")),
    (TextFormat.HTML.value, _l("HTML")),
    (TextFormat.PLAIN.value, _l("Plain text")),
]


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes for one multiple choice."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AnswerRowForm(Form):
    """One answer of a question; which cells count depends on the type."""

    text = StringField(_l("Answer"), validators=[Optional(), Length(max=2000)])
    match = StringField(_l("Matches"), validators=[Optional(), Length(max=2000)])
    weight = FiniteDecimalField(_l("Weight %"), places=5, validators=[Optional(), NumberRange(-100, 100)])
    feedback = StringField(_l("Feedback"), validators=[Optional(), Length(max=2000)])


class QuestionForm(FlaskForm):
    """Create or edit a question of the bank."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=255)])
    text = TextAreaField(_l("Question text"), validators=[DataRequired(), Length(max=20000)], render_kw={"rows": 6})
    text_format = SelectField(_l("Text format"), choices=FORMAT_CHOICES, default=TextFormat.MARKDOWN.value)
    points = FiniteDecimalField(
        _l("Points"), places=2, default=1, validators=[InputRequired(), NumberRange(min=0.01, max=1000)]
    )
    category = StringField(
        _l("Category"),
        validators=[Optional(), Length(max=255)],
        description=_l("Use / for subcategories, for example Finance/Simplified cost options."),
    )
    outcomes = MultiCheckboxField(_l("Learning outcomes"), choices=[], validators=[DataRequired()])
    general_feedback = TextAreaField(
        _l("General feedback"),
        validators=[Optional(), Length(max=5000)],
        description=_l("Shown to everyone after the attempt, whatever they answered."),
        render_kw={"rows": 3},
    )
    answers = FieldList(FormField(AnswerRowForm), min_entries=ANSWER_ROWS, max_entries=MAX_ANSWER_ROWS)
    correct = RadioField(
        _l("The statement is"), choices=[("true", _l("True")), ("false", _l("False"))], validators=[Optional()]
    )
    feedback_right = StringField(_l("Feedback for a right answer"), validators=[Optional(), Length(max=2000)])
    feedback_wrong = StringField(_l("Feedback for a wrong answer"), validators=[Optional(), Length(max=2000)])
    case_sensitive = BooleanField(_l("Letter case must match"))


class QuizForm(FlaskForm):
    """Settings of a quiz."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description (Markdown)"), validators=[Optional(), Length(max=10000)])
    module_key = SelectField(_l("Module"), choices=[], validators=[Optional()])
    published = BooleanField(_l("Visible to learners"))
    required = BooleanField(_l("Required to complete the course"), default=True)
    pass_mark = IntegerField(_l("Pass mark (%)"), default=70, validators=[InputRequired(), NumberRange(0, 100)])
    max_attempts = IntegerField(
        _l("Maximum attempts"),
        validators=[Optional(), NumberRange(min=1, max=100)],
        description=_l("Leave empty for unlimited attempts."),
    )
    grading_method = SelectField(
        _l("Grade from"),
        choices=[
            (GradingMethod.HIGHEST.value, _l("The highest attempt")),
            (GradingMethod.LAST.value, _l("The last attempt")),
            (GradingMethod.FIRST.value, _l("The first attempt")),
            (GradingMethod.AVERAGE.value, _l("The average of all attempts")),
        ],
    )
    time_limit_minutes = IntegerField(
        _l("Time limit (minutes)"),
        validators=[Optional(), NumberRange(min=1, max=1440)],
        description=_l("Leave empty for no time limit. At the deadline the attempt is submitted as saved."),
    )
    per_page = IntegerField(_l("Questions per page"), default=1, validators=[InputRequired(), NumberRange(1, 50)])
    shuffle_questions = BooleanField(_l("Shuffle the questions"))
    shuffle_answers = BooleanField(_l("Shuffle the answers"), default=True)
    opens_at = DateTimeLocalField(_l("Opens"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    closes_at = DateTimeLocalField(_l("Closes"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    review_score_after = BooleanField(
        _l("Score, and whether each chosen answer was right"),
        default=True,
        description=_l("Learners see their points per question and a right or wrong mark on what they chose."),
    )
    review_answers_after = BooleanField(
        _l("Right answers"),
        description=_l("The right options they did not choose, the accepted answers or range, the right pairs."),
    )
    review_feedback_after = BooleanField(
        _l("Feedback"),
        default=True,
        description=_l("Each chosen answer's feedback next to it, the question's general feedback, graders' comments."),
    )
    review_score_closed = BooleanField(_l("Score, and whether each chosen answer was right"), default=True)
    review_answers_closed = BooleanField(_l("Right answers"), default=True)
    review_feedback_closed = BooleanField(_l("Feedback"), default=True)


class SlotForm(FlaskForm):
    """Add a slot to a quiz."""

    kind = SelectField(
        _l("Slot holds"),
        choices=[
            (SlotKind.QUESTION.value, _l("A fixed question")),
            (SlotKind.OUTCOME.value, _l("Random questions for a learning outcome")),
            (SlotKind.CATEGORY.value, _l("Random questions from a category")),
        ],
    )
    question_id = SelectField(_l("Question"), choices=[], validators=[Optional()])
    outcome_key = SelectField(_l("Learning outcome"), choices=[], validators=[Optional()])
    category = SelectField(_l("Category"), choices=[], validators=[Optional()])
    count = IntegerField(_l("How many"), default=1, validators=[InputRequired(), NumberRange(1, 100)])


class ImportForm(FlaskForm):
    """Upload a GIFT file (or paste GIFT text) for a preview."""

    file = FileField(_l("GIFT file"), validators=[FileAllowed(["gift", "txt"], _l("Upload a .gift or .txt file."))])
    text = TextAreaField(_l("…or paste GIFT text"), validators=[Optional(), Length(max=5_000_000)])
    mode = RadioField(
        _l("If some questions cannot be imported"),
        choices=[
            ("valid", _l("Import the others")),
            ("all", _l("Import nothing")),
        ],
        default="valid",
    )


class ConfirmImportForm(FlaskForm):
    """Confirm an import after the preview; the GIFT text travels back with it."""

    gift = HiddenField(validators=[DataRequired(), Length(max=5_000_000)])
    mode = HiddenField(validators=[DataRequired()])


class GradeForm(FlaskForm):
    """A trainer's grade for an essay."""

    points = FloatField(_l("Points"), validators=[InputRequired()])
    comment = TextAreaField(_l("Comment for the learner"), validators=[Optional(), Length(max=5000)])


def type_choices() -> list[tuple[str, Any]]:
    """(value, label) for every question type."""
    return [(t.value, TYPE_LABELS[t]) for t in QuestionType]


class AccommodationForm(FlaskForm):
    """A trainer's time accommodation for one learner on one quiz."""

    learner = SelectField(_l("Learner"), validators=[DataRequired()])
    kind = RadioField(
        _l("Accommodation"),
        choices=[
            ("percent", _l("Extra time as a percentage of the time limit")),
            ("minutes", _l("Extra time in minutes")),
            ("no_limit", _l("No time limit")),
        ],
        default="percent",
        validators=[DataRequired()],
    )
    amount = IntegerField(
        _l("Extra time (per cent or minutes)"),
        description=_l("For example 25 (per cent) or 15 (minutes). Leave empty for no time limit."),
        validators=[Optional(), NumberRange(1, 1440)],
    )
