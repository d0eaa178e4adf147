from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (BooleanField, DateField, DecimalField, IntegerField, SelectChoice, SelectField,
                     SelectMultipleField, StringField, SubmitField, TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from trainhub.training.vocab import APPROVALS, EVIDENCE_TIERS, MODES, TARGET_ROLES, TIERS
from trainhub.vocab import STAGES, choices


class ProgrammeForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=30)])
    title = StringField(_l("Programme title"), validators=[DataRequired(), Length(max=200)])
    tier = SelectField(_l("Tier"), choices=[])
    sub_project = StringField(_l("Sub-project"), validators=[Optional(), Length(max=60)],
                              description=_l("For example 中西部项目, 示范性项目, 幼师国培."))
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(2000, 2100)])
    mode = SelectField(_l("Mode"), choices=choices(MODES))
    hours = IntegerField(_l("Hours"), validators=[InputRequired(), NumberRange(1, 1000)],
                         description=_l("Credits follow from the hours by the mode's rate."))
    capacity = IntegerField(_l("Capacity (seats)"), validators=[InputRequired(), NumberRange(1, 100000)])
    start_date = DateField(_l("First day"), validators=[InputRequired()])
    end_date = DateField(_l("Last day"), validators=[InputRequired()])
    apply_from = DateField(_l("Applications open"), validators=[InputRequired()])
    apply_until = DateField(_l("Applications close"), validators=[InputRequired()])
    quota_release_date = DateField(_l("Unused quota seats return to the pool on"), validators=[Optional()])
    target_stages = SelectMultipleField(_l("Stages"), choices=choices(STAGES), validators=[Optional()],
                                        description=_l("Leave empty for all."))
    target_subject_ids = SelectMultipleField(_l("Subjects"), coerce=int, choices=[], validators=[Optional()],
                                             description=_l("Leave empty for all."))
    target_roles = SelectMultipleField(_l("Only for"), choices=choices(TARGET_ROLES), validators=[Optional()],
                                       description=_l("Leave empty for all teachers."))
    rural_only = BooleanField(_l("Rural schools only"))
    eligible_county_ids = SelectMultipleField(_l("Counties"), coerce=int, choices=[], validators=[Optional()],
                                              description=_l("Leave empty for all."))
    approval = SelectField(_l("Approval"), choices=choices(APPROVALS))
    submit = SubmitField(_l("Save"))


class SessionForm(FlaskForm):
    day = DateField(_l("Day"), validators=[InputRequired()])
    title = StringField(_l("Topic"), validators=[DataRequired(), Length(max=200)])
    hours = DecimalField(_l("Hours"), places=1, validators=[InputRequired(), NumberRange(0.5, 24)])
    submit = SubmitField(_l("Add session"))


class ReasonForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=300)])


class ResultsForm(FlaskForm):
    file = FileField(_l("Results workbook (.xlsx)"), validators=[FileRequired(_l("Choose a file to upload."))])
    submit = SubmitField(_l("Check the file"))


class EvidenceForm(FlaskForm):
    title = StringField(_l("Training"), validators=[DataRequired(), Length(max=200)])
    tier = SelectField(_l("Tier"), choices=choices(EVIDENCE_TIERS))
    day = DateField(_l("Finished on"), validators=[InputRequired()])
    hours = DecimalField(_l("Hours"), places=1, validators=[InputRequired(), NumberRange(0.5, 1000)])
    is_induction = BooleanField(_l("Induction training for a new teacher"))
    note = TextAreaField(_l("Evidence"), validators=[DataRequired(), Length(max=300)],
                         description=_l("Certificate number and issuing body."))
    submit = SubmitField(_l("Add hours"))


class TargetForm(FlaskForm):
    unit_id = SelectField(_l("Unit"), coerce=int, choices=[])
    tier = SelectField(_l("Tier"), choices=[SelectChoice("all", _l("All tiers"))] + choices(TIERS))
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(2000, 2100)])
    persons = IntegerField(_l("Persons to train"), validators=[InputRequired(), NumberRange(1, 10_000_000)])
    rural_only = BooleanField(_l("Rural teachers only"))
    submit = SubmitField(_l("Save target"))
