from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from trainhub import vocab
from trainhub.accounts.permissions import can, requires
from trainhub.errors import UserError, refuse
from trainhub.extensions import db
from trainhub.i18n import current_language
from trainhub.pagination import paginate_ids
from trainhub.schools.services import counties
from trainhub.scoping import get_or_404
from trainhub.teachers import services
from trainhub.teachers.blueprint import bp
from trainhub.teachers.forms import TeacherFilterForm, TeacherForm
from trainhub.teachers.models import Teacher


@bp.route("/")
@requires("view_teachers")
def index():
    form = TeacherFilterForm(counties(), services.subjects(), services.SORTS, current_language(), formdata=request.args)
    form.offer_schools(services.schools_to_offer(form.county_of_schools, form.school.data))
    form.validate()
    filters = services.TeacherFilters(
        q=(form.q.data or "").strip() if not form.q.errors else "",
        county_id=form.county.data, school_id=form.school.data, subject_id=form.subject.data,
        employment_type=form.employment_type.data or "", status=form.status.data or "",
        title=form.title.data or "", key_teacher=form.key_teacher.data or "", sort=form.sort.data or "name",
    )
    page = paginate_ids(services.sorted_teacher_ids(filters), services.load_teachers,
                        count=services.teacher_ids(filters))
    return render_template("teachers/index.html", form=form, page=page, vocab=vocab, locale=current_language(),
                           can_edit=can("edit_registry"))


@bp.route("/<int:teacher_id>")
@requires("view_teachers")
def detail(teacher_id: int):
    return _detail_page(_load(teacher_id))


@bp.route("/<int:teacher_id>/id-number", methods=["POST"])
@requires("view_full_id")
def show_id_number(teacher_id: int):
    teacher = _load(teacher_id)
    full_id_number = services.reveal_id_number(teacher)
    db.session.commit()
    response = make_response(_detail_page(teacher, full_id_number))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/new", methods=["GET", "POST"])
@requires("edit_registry")
def create():
    form = TeacherForm(services.schools(), services.subjects(), current_language())
    if request.method == "GET" and request.args.get("school", type=int):
        form.school_id.data = request.args.get("school", type=int)
    return _save(form, None)


@bp.route("/<int:teacher_id>/edit", methods=["GET", "POST"])
@requires("edit_registry")
def edit(teacher_id: int):
    teacher = _load(teacher_id)
    form = TeacherForm(services.schools(), services.subjects(), current_language(), obj=teacher)
    if request.method == "GET":
        form.other_subject_ids.data = [subject.id for subject in teacher.other_subjects]
    return _save(form, teacher)


def _load(teacher_id: int) -> Teacher:
    return get_or_404(Teacher, teacher_id, *services.load_teacher_options())


def _detail_page(teacher: Teacher, full_id_number: str | None = None):
    return render_template("teachers/detail.html", teacher=teacher, full_id_number=full_id_number, vocab=vocab,
                           locale=current_language(), can_edit=can("edit_registry"),
                           can_view_full_id=can("view_full_id"))


def _save(form: TeacherForm, teacher: Teacher | None):
    if form.validate_on_submit():
        try:
            saved = services.save_teacher(teacher, _teacher_input(form))
        except UserError as error:
            db.session.rollback()
            refuse(error, form)
        else:
            db.session.commit()
            flash(_("The teacher %(name)s has been saved.", name=saved.name), "success")
            return redirect(url_for("teachers.detail", teacher_id=saved.id))
    return render_template("teachers/form.html", form=form, teacher=teacher)


def _teacher_input(form: TeacherForm) -> services.TeacherInput:
    return services.TeacherInput(
        name=form.name.data, id_number=form.id_number.data, birth_date=form.birth_date.data, phone=form.phone.data,
        school_id=form.school_id.data, subject_id=form.subject_id.data,
        other_subject_ids=form.other_subject_ids.data or [], certificate_stages=form.certificate_stages.data or [],
        employment_type=form.employment_type.data, term_start=form.term_start.data, term_end=form.term_end.data,
        degree=form.degree.data, title=form.title.data, key_teacher_level=form.key_teacher_level.data,
        is_principal=form.is_principal.data, is_homeroom_teacher=form.is_homeroom_teacher.data,
        hire_date=form.hire_date.data, at_school_since=form.at_school_since.data, status=form.status.data,
    )
