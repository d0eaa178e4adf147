from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SearchField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from trainhub import vocab
from trainhub.schools.forms import optional_int

ANY = ("", _l("All"))


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

    def __init__(self, counties, schools, subjects, sorts, locale, **kwargs):
        super().__init__(**kwargs)
        self.county.choices = [ANY] + [(unit.id, unit.name) for unit in counties]
        self.school.choices = [ANY] + [(school.id, school.name) for school in schools]
        self.subject.choices = [ANY] + [(subject.id, subject.display_name(locale)) for subject in subjects]
        self.employment_type.choices = [ANY] + vocab.choices(vocab.EMPLOYMENT_TYPES)
        self.status.choices = [ANY] + vocab.choices(vocab.TEACHER_STATUSES)
        self.title.choices = [ANY] + vocab.choices(vocab.TITLES)
        self.key_teacher.choices = [ANY, ("yes", _l("Key teachers only")), ("no", _l("Not key teachers"))]
        self.sort.choices = list(sorts.items())


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
    certificate_stages = SelectMultipleField(_l("Teacher certificate stages"), choices=vocab.choices(vocab.STAGES),
                                             validate_choice=False)
    employment_type = SelectField(_l("Employment type"), choices=vocab.choices(vocab.EMPLOYMENT_TYPES),
                                  validate_choice=False)
    term_start = DateField(_l("Term start"), validators=[Optional()],
                           description=_l("For special-post, support and silver-age teachers."))
    term_end = DateField(_l("Term end"), validators=[Optional()])
    degree = SelectField(_l("Degree"), choices=vocab.choices(vocab.DEGREES), validate_choice=False)
    title = SelectField(_l("Title"), choices=vocab.choices(vocab.TITLES), validate_choice=False)
    key_teacher_level = SelectField(_l("Key teacher"), choices=vocab.choices(vocab.KEY_TEACHER_LEVELS),
                                    validate_choice=False)
    is_principal = BooleanField(_l("Principal"))
    is_homeroom_teacher = BooleanField(_l("Homeroom teacher"))
    hire_date = DateField(_l("Hire date"), validators=[Optional()])
    at_school_since = DateField(_l("At this school since"), validators=[Optional()])
    status = SelectField(_l("Status"), choices=vocab.choices(vocab.TEACHER_STATUSES), validate_choice=False)
    submit = SubmitField(_l("Save"))

    def __init__(self, schools, subjects, locale, **kwargs):
        super().__init__(**kwargs)
        self.school_id.choices = [(school.id, f"{school.name}（{school.code}）") for school in schools]
        subject_choices = [(subject.id, subject.display_name(locale)) for subject in subjects]
        self.subject_id.choices = subject_choices
        self.other_subject_ids.choices = subject_choices
