from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, Form, FormField, IntegerField, SearchField, SelectChoice, SelectField,
                     StringField, SubmitField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from trainhub import vocab


def optional_int(value):
    """Coerce a select's value to int; anything else becomes None (then "choose from the list")."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def select_choices(labels: dict) -> list[SelectChoice]:
    """Return the options {code: label} as a select's choices; lazy labels show in each request's language."""
    return [SelectChoice(code, label) for code, label in labels.items()]


def any_choice() -> SelectChoice:
    """The "All" option that leaves a filter unset."""
    return SelectChoice("", _l("All"))


class SchoolFilterForm(FlaskForm):
    """The filter bar of the school list, read from the query string."""

    class Meta:
        csrf = False

    q = SearchField(_l("Name or code"), validators=[Optional(), Length(max=60)])
    county = SelectField(_l("County"), coerce=optional_int, validate_choice=False)
    locality = SelectField(_l("Locality"), validate_choice=False)
    flag = SelectField(_l("School type"), validate_choice=False)
    stage = SelectField(_l("Stage"), validate_choice=False)
    sort = SelectField(_l("Sort by"), validate_choice=False)
    submit = SubmitField(_l("Filter"))

    def __init__(self, counties, sorts, **kwargs):
        super().__init__(**kwargs)
        self.county.choices = [any_choice()] + [SelectChoice(unit.id, unit.name) for unit in counties]
        self.locality.choices = [any_choice()] + select_choices(vocab.LOCALITIES)
        self.flag.choices = [any_choice()] + select_choices(vocab.SCHOOL_FLAGS)
        self.stage.choices = [any_choice()] + select_choices(vocab.STAGES)
        self.sort.choices = select_choices(sorts)


class StageCountsForm(Form):
    """Students and classes of one stage; both empty means the school has no such stage."""

    students = IntegerField(_l("Students"), validators=[Optional(), NumberRange(min=0, max=20000)])
    classes = IntegerField(_l("Classes"), validators=[Optional(), NumberRange(min=0, max=500)])


class SchoolForm(FlaskForm):
    code = StringField(_l("School code"), validators=[
        DataRequired(_l("Enter the school code.")), Length(max=20),
        Regexp(r"^[0-9A-Za-z]+$", message=_l("A school code contains only digits and letters."))])
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the school name.")), Length(max=120)])
    county_id = SelectField(_l("County"), coerce=optional_int, validate_choice=False)
    township = StringField(_l("Township"), validators=[Optional(), Length(max=60)])
    locality = SelectField(_l("Locality"), choices=select_choices(vocab.LOCALITIES))
    is_small_rural = BooleanField(vocab.SCHOOL_FLAGS["is_small_rural"])
    is_boarding = BooleanField(vocab.SCHOOL_FLAGS["is_boarding"])
    is_relocation_site = BooleanField(vocab.SCHOOL_FLAGS["is_relocation_site"])
    is_teaching_point = BooleanField(vocab.SCHOOL_FLAGS["is_teaching_point"])
    lat = StringField(_l("Latitude"), validators=[Optional()])
    lon = StringField(_l("Longitude"), validators=[Optional()])
    kindergarten = FormField(StageCountsForm, vocab.STAGES["kindergarten"])
    primary = FormField(StageCountsForm, vocab.STAGES["primary"])
    junior = FormField(StageCountsForm, vocab.STAGES["junior"])
    senior = FormField(StageCountsForm, vocab.STAGES["senior"])
    submit = SubmitField(_l("Save"))

    def __init__(self, counties, **kwargs):
        super().__init__(**kwargs)
        self.county_id.choices = [SelectChoice(unit.id, unit.name) for unit in counties]

    def validate_county_id(self, field):
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("Choose a county from the list."))

    def validate_lat(self, field):
        _check_coordinate(field, -90, 90)

    def validate_lon(self, field):
        _check_coordinate(field, -180, 180)

    @staticmethod
    def number(field) -> float | None:
        """Return a validated coordinate, or None when it was left empty."""
        return None if field.data in (None, "") else float(field.data)

    def stage_counts(self) -> dict[str, tuple[int, int]]:
        """Return {stage: (students, classes)} for the stages the user filled in."""
        counts = {}
        for stage in vocab.STAGES:
            entry = getattr(self, stage)
            students, classes = entry.students.data, entry.classes.data
            if students is not None or classes is not None:
                counts[stage] = (students or 0, classes or 0)
        return counts


def _check_coordinate(field, low: float, high: float) -> None:
    try:
        value = float(field.data)
    except ValueError:
        raise ValidationError(_l("Enter a number, such as 35.6.")) from None
    if not low <= value <= high:
        raise ValidationError(_l("Enter a number between %(low)s and %(high)s.", low=low, high=high))
    field.data = value
