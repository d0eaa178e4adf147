from flask import redirect, render_template, url_for
from flask_login import current_user, login_required

from trainhub.dashboard import bp


@bp.route("/")
@login_required
def index():
    return render_template("dashboard/index.html")
