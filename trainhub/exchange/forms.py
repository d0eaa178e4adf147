from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, RadioField, SelectChoice, SelectField
from wtforms.validators import DataRequired


class UploadForm(FlaskForm):
    file = FileField(_l("Excel file (.xlsx)"), validators=[FileRequired(_l("Choose a file to upload."))])


class ConfirmForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])


class ExportForm(FlaskForm):
    """What to export; the filter values are read with the list pages' parameter names."""

    county = SelectField(_l("County"), validate_choice=False)
    school = SelectField(_l("School"), validate_choice=False)
    subject = SelectField(_l("Subject"), validate_choice=False)
    employment_type = SelectField(_l("Employment type"), validate_choice=False)
    format = RadioField(_l("Format"), choices=[SelectChoice("xlsx", "Excel (.xlsx)"), SelectChoice("csv", "CSV")], default="xlsx")
    full_ids = BooleanField(_l("Full ID numbers (recorded in the audit log)"))
