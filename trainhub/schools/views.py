from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from trainhub import vocab
from trainhub.accounts.permissions import can, requires
from trainhub.errors import UserError, refuse
from trainhub.extensions import db
from trainhub.pagination import paginate_ids
from trainhub.schools import services
from trainhub.schools.blueprint import bp
from trainhub.schools.forms import SchoolFilterForm, SchoolForm
from trainhub.schools.models import School
from trainhub.scoping import get_or_404


@bp.route("/")
@requires("view_registry")
def index():
    form = SchoolFilterForm(services.counties(), services.SORTS, formdata=request.args)
    form.validate()
    filters = services.SchoolFilters(
        q=(form.q.data or "").strip() if not form.q.errors else "",
        county_id=form.county.data, locality=form.locality.data or "", flag=form.flag.data or "",
        stage=form.stage.data or "", sort=form.sort.data or "name",
    )
    page = paginate_ids(services.sorted_school_ids(filters), services.load_schools,
                        count=services.school_ids(filters))
    return render_template("schools/index.html", form=form, page=page, vocab=vocab, can_edit=can("edit_schools"))


@bp.route("/<int:school_id>")
@requires("view_registry")
def detail(school_id: int):
    school = get_or_404(School, school_id)
    return render_template("schools/detail.html", school=school, teacher_count=services.teacher_count(school),
                           vocab=vocab, can_edit=can("edit_schools"))


@bp.route("/new", methods=["GET", "POST"])
@requires("edit_schools")
def create():
    form = SchoolForm(services.counties())
    return _save(form, None)


@bp.route("/<int:school_id>/edit", methods=["GET", "POST"])
@requires("edit_schools")
def edit(school_id: int):
    school = get_or_404(School, school_id)
    form = SchoolForm(services.counties(), obj=school)
    if request.method == "GET":
        for row in school.stages:
            getattr(form, row.stage).students.data = row.students
            getattr(form, row.stage).classes.data = row.classes
    return _save(form, school)


def _save(form: SchoolForm, school: School | None):
    if form.validate_on_submit():
        try:
            saved = services.save_school(school, _school_input(form))
        except UserError as error:
            db.session.rollback()
            refuse(error, form)
        else:
            db.session.commit()
            flash(_("The school %(name)s has been saved.", name=saved.name), "success")
            return redirect(url_for("schools.detail", school_id=saved.id))
    return render_template("schools/form.html", form=form, school=school, vocab=vocab)


def _school_input(form: SchoolForm) -> services.SchoolInput:
    return services.SchoolInput(
        code=form.code.data, name=form.name.data, county_id=form.county_id.data, township=form.township.data,
        locality=form.locality.data, is_small_rural=form.is_small_rural.data, is_boarding=form.is_boarding.data,
        is_relocation_site=form.is_relocation_site.data, is_teaching_point=form.is_teaching_point.data,
        lat=form.number(form.lat), lon=form.number(form.lon), stages=form.stage_counts(),
    )
