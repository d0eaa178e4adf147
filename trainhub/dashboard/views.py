from flask import render_template
from flask_login import current_user, login_required

from trainhub import vocab
from trainhub.dashboard import services
from trainhub.dashboard.blueprint import bp
from trainhub.i18n import current_language
from trainhub.scoping import get_or_404
from trainhub.teachers.models import Teacher
from trainhub.teachers.services import load_teacher_options


@bp.route("/")
@login_required
def index():
    if current_user.role == "teacher":
        teacher = get_or_404(Teacher, current_user.teacher_id, *load_teacher_options())
        return render_template("dashboard/teacher.html", teacher=teacher, vocab=vocab, locale=current_language())
    return render_template("dashboard/index.html", overview=services.overview(), vocab=vocab)
