"""Error pages in the user's language; nothing half-written survives an error."""
from flask import flash, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

from trainhub.extensions import db


class UserError(Exception):
    """A mistake the user can make (a duplicate ID number, an unknown school): an expected outcome.

    `message` is translated; `field` names the form field it belongs to, if any. Services raise it
    before they change anything, and the view shows it instead of committing.
    """

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please go back and try again.")),
    403: (_l("Not allowed"), _l("Your role does not allow this action.")),
    404: (_l("Not found"), _l("This page does not exist, or it is outside your unit.")),
    405: (_l("Not allowed"), _l("This action is not available here.")),
    413: (_l("File too large"), _l("The upload is larger than allowed.")),
    500: (_l("Something went wrong"), _l("The request failed and nothing was saved. Please try again later.")),
}


def _page(code: int, message=None):
    title, default = MESSAGES[code]
    return render_template("errors/error.html", title=title, message=message or default), code


def init_app(app) -> None:
    for code in (400, 403, 404, 405, 413):
        app.register_error_handler(code, lambda error, code=code: _page(code))

    @app.errorhandler(CSRFError)
    def _csrf(error):
        return _page(400, _l("The form has expired or was not sent from this site. Please reload the page and try again."))

    @app.errorhandler(500)
    def _server_error(error):
        db.session.rollback()
        return _page(500)


def refuse(error: UserError, form=None) -> None:
    """Show a refusal and keep nothing of the request.

    The message goes under the form field it names, or above the page when there is none.
    """
    db.session.rollback()
    field = getattr(form, error.field, None) if form is not None and error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "danger")
