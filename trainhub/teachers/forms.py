from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, SearchField, SelectChoice, SelectField, SelectMultipleField,
                     StringField, SubmitField)
from wtforms.validators import DataRequired, Length, Optional, Regexp

from trainhub import vocab
from trainhub.schools.forms import any_choice, optional_int, select_choices


class TeacherFilterForm(FlaskForm):
    """The filter bar of the teacher list, read from the query string."""

    class Meta:
        csrf = False

    q = SearchField(_l("Name or school code"), validators=[Optional(), Length(max=60)])
    county = SelectField(_l("County"), coerce=optional_int, validate_choice=False)
    school = SelectField(_l("School"), coerce=optional_int, validate_choice=False)
    subject = SelectField(_l("Subject"), coerce=optional_int, validate_choice=False)
    employment_type = SelectField(_l("Employment type"), validate_choice=False)
    status = SelectField(_l("Status"), validate_choice=False)
    title = SelectField(_l("Title"), validate_choice=False)
    key_teacher = SelectField(_l("Key teacher"), validate_choice=False)
    sort = SelectField(_l("Sort by"), validate_choice=False)
    submit = SubmitField(_l("Filter"))

    def __init__(self, counties, subjects, sorts, locale, **kwargs):
        super().__init__(**kwargs)
        self.county.choices = [any_choice()] + [SelectChoice(unit.id, unit.name) for unit in counties]
        # A user who sees one county (an officer, a school) gets its schools without choosing it.
        self.county_of_schools = self.county.data or (counties[0].id if len(counties) == 1 else None)
        self.school.choices = [any_choice()]
        self.subject.choices = [any_choice()] + [SelectChoice(subject.id, subject.display_name(locale))
                                                 for subject in subjects]
        self.employment_type.choices = [any_choice()] + select_choices(vocab.EMPLOYMENT_TYPES)
        self.status.choices = [any_choice()] + select_choices(vocab.TEACHER_STATUSES)
        self.title.choices = [any_choice()] + select_choices(vocab.TITLES)
        self.key_teacher.choices = [any_choice()] + select_choices(
            {"yes": _l("Key teachers only"), "no": _l("Not key teachers")})
        self.sort.choices = select_choices(sorts)

    def offer_schools(self, schools) -> None:
        """Fill the school filter with services.schools_to_offer(form.county_of_schools, ...)."""
        self.school.choices = [any_choice()] + [SelectChoice(school.id, school.name) for school in schools]


class TeacherForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the teacher's name.")), Length(max=40)])
    id_number = StringField(_l("ID number"), validators=[DataRequired(_l("Enter the ID number.")), Length(max=18)],
                            description=_l("18 characters; gender and birth date are taken from it."))
    birth_date = DateField(_l("Birth date"), validators=[Optional()],
                           description=_l("Optional: if entered, it must agree with the ID number."))
    phone = StringField(_l("Phone"), validators=[
        Optional(), Length(max=20), Regexp(r"^[0-9+\- ]+$", message=_l("A phone number contains only digits."))])
    school_id = SelectField(_l("School"), coerce=optional_int, validate_choice=False)
    subject_id = SelectField(_l("Primary subject"), coerce=optional_int, validate_choice=False)
    other_subject_ids = SelectMultipleField(_l("Other subjects"), coerce=optional_int, validate_choice=False)
    certificate_stages = SelectMultipleField(_l("Teacher certificate stages"), choices=select_choices(vocab.STAGES),
                                             validate_choice=False)
    employment_type = SelectField(_l("Employment type"), choices=select_choices(vocab.EMPLOYMENT_TYPES),
                                  validate_choice=False)
    term_start = DateField(_l("Term start"), validators=[Optional()],
                           description=_l("For special-post, support and silver-age teachers."))
    term_end = DateField(_l("Term end"), validators=[Optional()])
    degree = SelectField(_l("Degree"), choices=select_choices(vocab.DEGREES), validate_choice=False)
    title = SelectField(_l("Title"), choices=select_choices(vocab.TITLES), validate_choice=False)
    key_teacher_level = SelectField(_l("Key teacher"), choices=select_choices(vocab.KEY_TEACHER_LEVELS),
                                    validate_choice=False)
    is_principal = BooleanField(_l("Principal"))
    is_homeroom_teacher = BooleanField(_l("Homeroom teacher"))
    hire_date = DateField(_l("Hire date"), validators=[Optional()])
    at_school_since = DateField(_l("At this school since"), validators=[Optional()])
    status = SelectField(_l("Status"), choices=select_choices(vocab.TEACHER_STATUSES), validate_choice=False)
    submit = SubmitField(_l("Save"))

    def __init__(self, schools, subjects, locale, **kwargs):
        super().__init__(**kwargs)
        self.school_id.choices = [SelectChoice(school.id, f"{school.name}（{school.code}）") for school in schools]
        subject_choices = [SelectChoice(subject.id, subject.display_name(locale)) for subject in subjects]
        self.subject_id.choices = subject_choices
        self.other_subject_ids.choices = subject_choices
