from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from trainhub.accounts.blueprint import bp
from trainhub.accounts.forms import LoginForm
from trainhub.accounts.services import authenticate
from trainhub.extensions import db


def _safe_next(target: str | None) -> str:
    """Follow ?next= only to a path on this site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("dashboard.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        result = authenticate(form.username.data, form.password.data)
        db.session.commit()
        if result.user is not None:
            locale = session.get("locale")
            session.clear()  # a fresh session at sign-in
            if locale:
                session["locale"] = locale
            login_user(result.user)
            return redirect(_safe_next(request.args.get("next")))
        if result.throttled:
            flash(_("Too many failed sign-ins from this address. Please try again in %(minutes)d minutes.",
                    minutes=current_app.config["LOGIN_LOCK_MINUTES"]), "danger")
        elif result.locked:
            flash(_("Too many failed sign-ins. The account is locked for %(minutes)d minutes.",
                    minutes=current_app.config["LOGIN_LOCK_MINUTES"]), "danger")
        else:
            flash(_("Wrong username or password."), "danger")
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/language/<code>", methods=["POST"])
def set_language(code: str):
    if code in current_app.config["LANGUAGES"]:
        session["locale"] = code
    return redirect(_safe_next(request.form.get("next")))
