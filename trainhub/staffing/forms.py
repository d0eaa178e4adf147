"""Forms of the staffing pages."""
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (DateField, FloatField, IntegerField, SelectChoice, SelectField, SelectMultipleField,
                     StringField, SubmitField, TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from trainhub.staffing.models import KINDS, MECHANISMS
from trainhub.vocab import choices

KIND_LABELS = {
    "special_post": _l("Special-post recruitment"),
    "rotation": _l("Rotation"),
    "support": _l("Support teaching"),
    "silver_age": _l("Silver-age volunteers"),
    "directed": _l("Directed-training graduates"),  # postings only: they come through special-post pools
}
OBLIGATION_STATES = {"serving": _l("Serving"), "met": _l("Obligation met"), "left": _l("Left before the end")}
MECHANISM_LABELS = {
    "coverage": _l("Coverage (fill the most needed posts)"),
    "merit": _l("Merit (choose in score order)"),
    "balanced": _l("Balanced (coverage with a cost for envy)"),
}
RUN_STATUS_LABELS = {"queued": _l("Queued"), "running": _l("Running"), "finished": _l("Finished"),
                     "failed": _l("Failed")}
POSTING_STATUS_LABELS = {"planned": _l("Planned"), "active": _l("Active"), "ended": _l("Ended")}
POOL_STATUS_LABELS = {"open": _l("Open"), "approved": _l("Approved")}


def _this_year() -> int:
    return date.today().year


class ShortageFilterForm(FlaskForm):
    class Meta:
        csrf = False

    unit = SelectField(_l("Area"), coerce=int, validators=[Optional()])
    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(2000, 2100)])

    def __init__(self, units, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit.choices = [SelectChoice(unit.id, unit.name) for unit in units]


def _ratio(label):
    return FloatField(label, validators=[InputRequired(), NumberRange(1, 100)])


def _per_class(label):
    return FloatField(label, validators=[InputRequired(), NumberRange(0, 10)])


def _share(label):
    return FloatField(label, validators=[InputRequired(), NumberRange(0, 1)])


def _whole(label, low, high):
    return IntegerField(label, validators=[InputRequired(), NumberRange(low, high)])


class NormForm(FlaskForm):
    students_per_staff_primary = _ratio(_l("Primary: students per staff member"))
    students_per_staff_junior = _ratio(_l("Junior high: students per staff member"))
    students_per_staff_senior = _ratio(_l("Senior high: students per staff member"))
    staff_per_class_primary = _per_class(_l("Small schools, primary: staff per class"))
    staff_per_class_junior = _per_class(_l("Small schools, junior high: staff per class"))
    shares_primary = TextAreaField(_l("Primary: share of need per subject"))
    shares_junior = TextAreaField(_l("Junior high: share of need per subject"))
    shares_senior = TextAreaField(_l("Senior high: share of need per subject"))
    rotation_years = _whole(_l("Years at the same school before rotation"), 1, 40)
    rotation_min_share = _share(_l("Minimum share of eligible teachers rotated each year"))
    min_key_teacher_share = _share(_l("Minimum share of key teachers among those rotated"))
    special_post_max_age = _whole(_l("Special-post: maximum age"), 18, 60)
    special_post_max_age_master = _whole(_l("Special-post: maximum age with a master's degree"), 18, 60)
    silver_age_max_age = _whole(_l("Silver-age: maximum age at the term start"), 50, 80)
    special_post_term_years = _whole(_l("Special-post term (years)"), 1, 10)
    rotation_term_years = _whole(_l("Rotation term (years)"), 1, 10)
    support_term_years = _whole(_l("Support term (years)"), 1, 10)
    silver_age_term_years = _whole(_l("Silver-age term (years)"), 1, 10)
    submit = SubmitField(_l("Save norms"))


class ScarceSubjectForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(2000, 2100)], default=_this_year)
    subjects = SelectMultipleField(_l("Scarce subjects"), coerce=int)
    submit = SubmitField(_l("Save the list"))


class GeneratePostsForm(FlaskForm):
    unit = SelectField(_l("Area"), coerce=int, validators=[InputRequired()])
    year = IntegerField(_l("Recruitment year"), validators=[InputRequired(), NumberRange(2000, 2100)], default=_this_year)
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k, KIND_LABELS[k]) for k in KINDS])
    submit = SubmitField(_l("Generate posts from shortages"))


class PostFilterForm(FlaskForm):
    class Meta:
        csrf = False

    unit = SelectField(_l("Area"), coerce=int, validators=[Optional()])
    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(2000, 2100)])
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k, KIND_LABELS[k]) for k in KINDS], validators=[Optional()])
    sort = SelectField(_l("Sort"), choices=choices({"weight": _l("Weight"), "school": _l("School"),
                                                     "county": _l("County")}), validators=[Optional()])


class PostForm(FlaskForm):
    seats = IntegerField(_l("Seats"), validators=[InputRequired(), NumberRange(1, 500)])
    weight_override = IntegerField(_l("Weight override"), validators=[Optional(), NumberRange(1, 1000)])
    override_reason = StringField(_l("Reason for the override"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Save"))


class PoolForm(FlaskForm):
    unit = SelectField(_l("Area"), coerce=int, validators=[InputRequired()])
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k, KIND_LABELS[k]) for k in KINDS])
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(2000, 2100)], default=_this_year)
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    reference_date = DateField(_l("Ages checked on"), validators=[InputRequired()])
    term_start = DateField(_l("Term starts"), validators=[InputRequired()])
    submit = SubmitField(_l("Create the pool"))


class ImportForm(FlaskForm):
    file = FileField(_l("Applicant spreadsheet (.xlsx)"), validators=[FileRequired()])
    submit = SubmitField(_l("Check the file"))


class RunForm(FlaskForm):
    mechanism = SelectField(_l("Mechanism"), choices=[SelectChoice("all", _l("All three, side by side"))]
                            + [SelectChoice(m, MECHANISM_LABELS[m]) for m in MECHANISMS])
    submit = SubmitField(_l("Start the run"))


class PairRuleForm(FlaskForm):
    candidate = StringField(_l("Candidate number"), validators=[DataRequired(), Length(max=12)])
    post = StringField(_l("Post number"), validators=[DataRequired(), Length(max=12)])
    kind = SelectField(_l("Rule"), choices=choices({"lock": _l("Lock the pair"), "forbid": _l("Forbid the pair")}))
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Add the rule"))


class ResultImportForm(FlaskForm):
    file = FileField(_l("Result document (.json)"), validators=[FileRequired()])
    submit = SubmitField(_l("Import the result"))


class ProblemImportForm(FlaskForm):
    file = FileField(_l("Problem document (.json)"), validators=[FileRequired()])
    submit = SubmitField(_l("Run this problem"))


class ItinerantForm(FlaskForm):
    county = SelectField(_l("County"), coerce=int, validators=[InputRequired()])
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(2000, 2100)], default=_this_year)
    submit = SubmitField(_l("Plan itinerant teaching"))
