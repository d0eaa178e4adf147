"""Staffing pages: shortages, norms, posts, pools, runs, review, approval, postings, itinerant plans."""
import json
from datetime import date

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice
from sqlalchemy.orm import joinedload

from trainhub import vocab
from trainhub.accounts.permissions import can, requires
from trainhub.errors import UserError, refuse
from trainhub.exchange import flow
from trainhub.exchange.forms import ConfirmForm
from trainhub.extensions import db
from trainhub.i18n import current_language
from trainhub.pagination import paginate
from trainhub.schools.models import School, Subject, Unit
from trainhub.scoping import current_scope, get_or_404
from trainhub.spreadsheets import XLSX_CONTENT_TYPE, SpreadsheetRefused
from trainhub.staffing import exports, forms, itinerant, pools, runs, services
from trainhub.staffing.blueprint import bp
from trainhub.staffing.listing import ListPage
from trainhub.staffing.models import (AllocationRun, Candidate, CandidatePool, ItinerantPlan, PairRule, Post,
                                      Posting)
from trainhub.staffing.reasons import translate


TABS = (
    ("staffing.shortages", _l("Shortages"), "view_staffing"),
    ("staffing.posts", _l("Posts"), "view_staffing"),
    ("staffing.pool_list", _l("Candidate pools"), "view_allocations"),
    ("staffing.runs", _l("Allocation runs"), "view_allocations"),
    ("staffing.postings", _l("Postings"), "view_postings"),
    ("staffing.retention", _l("Retention review"), "view_allocations"),
    ("staffing.obligations", _l("Service obligations"), "view_allocations"),
    ("staffing.itinerant_plans", _l("Itinerant teaching"), "view_allocations"),
)


@bp.context_processor
def staffing_tabs():
    return {"staffing_tabs": [(endpoint, text) for endpoint, text, capability in TABS if can(capability)]}


def _units(kinds=("province", "prefecture", "county")) -> list[Unit]:
    """Units the user manages: their own and those below it."""
    scope = current_scope()
    query = sa.select(Unit).where(Unit.kind.in_(kinds)).order_by(Unit.path)
    if scope is not None and scope.unit_path:
        query = query.where(Unit.path.startswith(scope.unit_path))
    return list(db.session.scalars(query))


def _own_unit() -> Unit | None:
    return current_user.unit


def _year() -> int:
    return request.args.get("year", type=int) or date.today().year


def _subject_names() -> dict[str, str]:
    english = current_language().startswith("en")
    return {s.code: (s.name_en if english else s.name_zh) for s in db.session.scalars(sa.select(Subject))}


def _refuse(error: UserError, endpoint: str, **values):
    refuse(error)
    return redirect(url_for(endpoint, **values))


# ---- shortages -----------------------------------------------------------------------------------

@bp.route("/")
@requires("view_staffing")
def shortages():
    units = _units()
    form = forms.ShortageFilterForm(units, formdata=request.args)
    form.validate()
    unit = next((u for u in units if u.id == form.unit.data), None) or _own_unit()
    year = form.year.data or date.today().year
    form.year.data = year
    rows = services.shortage_report(unit, year)
    counties = services.summarise_by_county(rows)
    page = ListPage(rows)
    return render_template("staffing/shortages.html", form=form, unit=unit, year=year, page=page,
                           counties=counties, subjects=_subject_names(), vocab=vocab,
                           can_manage=can("manage_staffing"), can_edit_norms=can("edit_norms"))


@bp.route("/schools/<int:school_id>")
@requires("view_staffing")
def school(school_id: int):
    found = get_or_404(School, school_id)
    year = _year()
    staffing = services.school_staffing([found], year)[0]
    return render_template("staffing/school.html", school=found, staffing=staffing, year=year,
                           subjects=_subject_names(), vocab=vocab)


# ---- norms ---------------------------------------------------------------------------------------

def _province() -> Unit:
    unit = _own_unit()
    if unit is None or unit.kind != "province":
        abort(403)
    return unit


def _shares_text(shares: dict) -> str:
    return "\n".join(f"{code}: {share:g}" for code, share in shares.items())


@bp.route("/norms", methods=["GET", "POST"])
@requires("edit_norms")
def norms():
    province = _province()
    norm = services.province_norm(province)
    form = forms.NormForm(obj=norm)
    subjects = list(db.session.scalars(sa.select(Subject).order_by(Subject.code)))
    if request.method == "GET":
        for stage in services.NORM_STAGES:
            getattr(form, f"shares_{stage}").data = _shares_text((norm.curriculum_shares or {}).get(stage, {}))
    if form.validate_on_submit():
        try:
            services.save_norm(province, _norm_input(form, {subject.code for subject in subjects}), current_user)
        except UserError as error:
            db.session.rollback()
            refuse(error, form)
        else:
            db.session.commit()
            flash(_("The norms have been saved."), "success")
            return redirect(url_for("staffing.norms"))
    scarce_form = forms.ScarceSubjectForm(prefix="scarce")
    scarce_form.subjects.choices = [SelectChoice(s.id, s.display_name(current_language())) for s in subjects]
    scarce_form.year.data = scarce_form.year.data or _year()
    if request.method == "GET":
        scarce_form.subjects.data = sorted(services.scarce_subject_ids(province, scarce_form.year.data))
    return render_template("staffing/norms.html", form=form, scarce_form=scarce_form, province=province,
                           subjects=subjects)


def _norm_input(form: forms.NormForm, codes: set[str]) -> services.NormInput:
    return services.NormInput(
        students_per_staff={stage: getattr(form, f"students_per_staff_{stage}").data for stage in services.NORM_STAGES},
        staff_per_class={"primary": form.staff_per_class_primary.data, "junior": form.staff_per_class_junior.data},
        curriculum_shares={stage: services.parse_shares(getattr(form, f"shares_{stage}").data, codes)
                           for stage in services.NORM_STAGES},
        rotation_years=form.rotation_years.data, rotation_min_share=form.rotation_min_share.data,
        min_key_teacher_share=form.min_key_teacher_share.data, special_post_max_age=form.special_post_max_age.data,
        special_post_max_age_master=form.special_post_max_age_master.data,
        silver_age_max_age=form.silver_age_max_age.data,
        term_years={kind: getattr(form, f"{kind}_term_years").data
                    for kind in ("special_post", "rotation", "support", "silver_age")},
    )


@bp.route("/norms/scarce", methods=["POST"])
@requires("edit_norms")
def scarce_subjects():
    province = _province()
    form = forms.ScarceSubjectForm(prefix="scarce")
    form.subjects.choices = [SelectChoice(s.id, s.code) for s in db.session.scalars(sa.select(Subject))]
    if not form.validate_on_submit():
        flash(_("Choose a year and the scarce subjects."), "danger")
        return redirect(url_for("staffing.norms"))
    services.save_scarce_subjects(province, form.year.data, set(form.subjects.data or []), current_user)
    db.session.commit()
    flash(_("The scarce-subject list of %(year)d has been saved.", year=form.year.data), "success")
    return redirect(url_for("staffing.norms", year=form.year.data))


# ---- posts ---------------------------------------------------------------------------------------

@bp.route("/posts")
@requires("view_staffing")
def posts():
    units = _units()
    form = forms.PostFilterForm(formdata=request.args)
    form.unit.choices = [SelectChoice(u.id, u.name) for u in units]
    form.validate()
    unit = next((u for u in units if u.id == form.unit.data), None) or _own_unit()
    year = form.year.data or date.today().year
    kind = form.kind.data if form.kind.data in forms.KIND_LABELS else "special_post"
    form.year.data, form.kind.data = year, kind
    page = paginate(services.post_list(unit, year, kind, sort=form.sort.data or "weight"))
    generate_form = forms.GeneratePostsForm(unit=unit.id if unit else None, year=year, kind=kind)
    generate_form.unit.choices = form.unit.choices
    return render_template("staffing/posts.html", form=form, generate_form=generate_form, page=page,
                           labels=services.PRIORITY_LABELS, subjects=_subject_names(), vocab=vocab,
                           can_manage=can("manage_staffing"))


@bp.route("/posts/generate", methods=["POST"])
@requires("manage_staffing")
def generate_posts():
    form = forms.GeneratePostsForm()
    form.unit.choices = [SelectChoice(u.id, u.name) for u in _units()]
    if not form.validate_on_submit():
        flash(_("Choose an area, a year and a kind."), "danger")
        return redirect(url_for("staffing.posts"))
    unit = get_or_404(Unit, form.unit.data)
    seats = services.generate_posts(unit, form.year.data, form.kind.data)
    db.session.commit()
    flash(_("Posts generated: %(seats)d seats in %(unit)s.", seats=seats, unit=unit.name), "success")
    return redirect(url_for("staffing.posts", unit=unit.id, year=form.year.data, kind=form.kind.data))


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
@requires("manage_staffing")
def edit_post(post_id: int):
    post = get_or_404(Post, post_id)
    form = forms.PostForm(obj=post)
    if form.validate_on_submit():
        try:
            services.update_post(post, services.PostInput(form.seats.data, form.weight_override.data,
                                                          form.override_reason.data or ""), current_user)
        except UserError as error:
            db.session.rollback()
            refuse(error, form)
        else:
            db.session.commit()
            flash(_("The post has been saved."), "success")
            return redirect(url_for("staffing.posts", year=post.year, kind=post.kind))
    return render_template("staffing/post_form.html", form=form, post=post, labels=services.PRIORITY_LABELS,
                           subjects=_subject_names(), vocab=vocab)


# ---- pools ---------------------------------------------------------------------------------------

@bp.route("/pools")
@requires("view_allocations")
def pool_list():
    page = paginate(sa.select(CandidatePool).options(joinedload(CandidatePool.unit))
                    .order_by(CandidatePool.year.desc(), CandidatePool.id.desc()))
    form = forms.PoolForm(year=date.today().year, reference_date=date(date.today().year, 8, 31),
                          term_start=date(date.today().year, 9, 1))
    form.unit.choices = [SelectChoice(u.id, u.name) for u in _units()]
    return render_template("staffing/pools.html", page=page, form=form, kinds=forms.KIND_LABELS,
                           statuses=forms.POOL_STATUS_LABELS, can_manage=can("manage_staffing"))


@bp.route("/pools/new", methods=["POST"])
@requires("manage_staffing")
def create_pool():
    form = forms.PoolForm()
    form.unit.choices = [SelectChoice(u.id, u.name) for u in _units()]
    if not form.validate_on_submit():
        flash(_("Fill in every field of the new pool."), "danger")
        return redirect(url_for("staffing.pool_list"))
    unit = get_or_404(Unit, form.unit.data)
    try:
        pool = pools.create_pool(unit, form.kind.data, form.year.data, form.name.data, form.reference_date.data,
                                 form.term_start.data)
    except UserError as error:
        return _refuse(error, "staffing.pool_list")
    db.session.commit()
    return redirect(url_for("staffing.pool", pool_id=pool.id))


def _pool_page(pool: CandidatePool, status=200):
    candidates = paginate(sa.select(Candidate).where(Candidate.pool_id == pool.id)
                          .options(joinedload(Candidate.home_school))
                          .order_by(Candidate.exam_score.desc().nulls_last(), Candidate.id))
    pool_runs = db.session.scalars(sa.select(AllocationRun).where(AllocationRun.pool_id == pool.id)
                                   .order_by(AllocationRun.id.desc()).limit(20)).all()
    rules = db.session.scalars(sa.select(PairRule).where(PairRule.pool_id == pool.id)
                               .options(joinedload(PairRule.candidate), joinedload(PairRule.post))
                               .order_by(PairRule.id)).all()
    post_count = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Post.seats), 0)).where(
        Post.id.in_(pools.pool_posts(pool).with_only_columns(Post.id))))
    return render_template("staffing/pool.html", pool=pool, candidates=candidates, runs=pool_runs, rules=rules,
                           seats=post_count, import_form=forms.ImportForm(), run_form=forms.RunForm(),
                           rule_form=forms.PairRuleForm(), problem_form=forms.ProblemImportForm(), kinds=forms.KIND_LABELS,
                           mechanisms=forms.MECHANISM_LABELS, statuses=forms.RUN_STATUS_LABELS,
                           pool_statuses=forms.POOL_STATUS_LABELS, subjects=_subject_names(), vocab=vocab,
                           can_manage=can("manage_staffing")), status


@bp.route("/pools/<int:pool_id>")
@requires("view_allocations")
def pool(pool_id: int):
    return _pool_page(get_or_404(CandidatePool, pool_id))


@bp.route("/pools/<int:pool_id>/template.xlsx")
@requires("manage_staffing")
def applicant_template(pool_id: int):
    get_or_404(CandidatePool, pool_id)
    return flow.template_download(pools.APPLICANTS, "special-post-applicants.xlsx")


def _applicant_pages(pool: CandidatePool) -> flow.Pages:
    back = url_for("staffing.pool", pool_id=pool.id)
    return flow.Pages(confirm_url=url_for("staffing.confirm_applicants", pool_id=pool.id), back_url=back,
                      done_url=back)


@bp.route("/pools/<int:pool_id>/import", methods=["POST"])
@requires("manage_staffing")
def import_applicants(pool_id: int):
    """The dry run of an applicant spreadsheet: every problem by row and column, or the rows ready to import."""
    found = get_or_404(CandidatePool, pool_id)
    form = forms.ImportForm()
    if not form.validate_on_submit():
        flash(_("Choose an .xlsx file to import."), "danger")
        return redirect(url_for("staffing.pool", pool_id=pool_id))
    try:
        pools.require_applicants(found)
        return flow.dry_run(pools.APPLICANTS, form.file.data, _applicant_pages(found), found)
    except SpreadsheetRefused as refusal:
        flash(str(refusal.message), "danger")
        return _pool_page(found, status=400)
    except UserError as error:
        return _refuse(error, "staffing.pool", pool_id=pool_id)


@bp.route("/pools/<int:pool_id>/import/confirm", methods=["POST"])
@requires("manage_staffing")
def confirm_applicants(pool_id: int):
    """Add the checked applicants: all rows, or none and the report."""
    found = get_or_404(CandidatePool, pool_id)
    form = ConfirmForm()
    token = form.token.data if form.validate_on_submit() else None
    return flow.confirm(pools.APPLICANTS, token, _applicant_pages(found), found)


@bp.route("/pools/<int:pool_id>/teachers", methods=["POST"])
@requires("manage_staffing")
def add_teachers(pool_id: int):
    found = get_or_404(CandidatePool, pool_id)
    try:
        count = pools.add_eligible_teachers(found)
    except UserError as error:
        return _refuse(error, "staffing.pool", pool_id=pool_id)
    db.session.commit()
    flash(_("%(count)d eligible teachers added.", count=count), "success")
    return redirect(url_for("staffing.pool", pool_id=pool_id))


@bp.route("/pools/<int:pool_id>/runs", methods=["POST"])
@requires("manage_staffing")
def start_runs(pool_id: int):
    found = get_or_404(CandidatePool, pool_id)
    form = forms.RunForm()
    if not form.validate_on_submit():
        abort(400)
    mechanisms = list(forms.MECHANISM_LABELS) if form.mechanism.data == "all" else [form.mechanism.data]
    try:
        queued = runs.queue_runs(found, mechanisms, current_user)
    except UserError as error:
        return _refuse(error, "staffing.pool", pool_id=pool_id)
    db.session.commit()
    runs.start(queued)
    if len(queued) > 1:
        return redirect(url_for("staffing.compare", pool_id=pool_id))
    return redirect(url_for("staffing.run", run_id=queued[0].id))


@bp.route("/pools/<int:pool_id>/import-problem", methods=["POST"])
@requires("manage_staffing")
def import_problem(pool_id: int):
    found = get_or_404(CandidatePool, pool_id)
    form = forms.ProblemImportForm()
    if not form.validate_on_submit():
        flash(_("Choose a problem document to import."), "danger")
        return redirect(url_for("staffing.pool", pool_id=pool_id))
    try:
        queued = runs.import_problem(found, form.file.data.read(), current_user)
    except UserError as error:
        return _refuse(error, "staffing.pool", pool_id=pool_id)
    db.session.commit()
    runs.start([queued])
    return redirect(url_for("staffing.run", run_id=queued.id))


@bp.route("/pools/<int:pool_id>/compare")
@requires("view_allocations")
def compare(pool_id: int):
    found = get_or_404(CandidatePool, pool_id)
    pending = db.session.scalar(sa.select(sa.func.count()).where(
        AllocationRun.pool_id == pool_id, AllocationRun.status.in_(("queued", "running"))))
    counties = dict(db.session.execute(sa.select(Unit.code, Unit.name).where(Unit.kind == "county")).all())
    return render_template("staffing/compare.html", pool=found, latest=runs.latest_runs(found), pending=pending,
                           counties=counties, mechanisms=forms.MECHANISM_LABELS, labels=services.PRIORITY_LABELS)


@bp.route("/pools/<int:pool_id>/rules", methods=["POST"])
@requires("manage_staffing")
def add_rule(pool_id: int):
    found = get_or_404(CandidatePool, pool_id)
    form = forms.PairRuleForm()
    if not form.validate_on_submit():
        flash(_("Give a candidate number, a post number and the rule."), "danger")
        return redirect(url_for("staffing.pool", pool_id=pool_id))
    candidate_id = runs.parse_label(form.candidate.data.strip().upper())
    post_id = runs.parse_label(form.post.data.strip().upper())
    candidate = db.session.get(Candidate, candidate_id) if candidate_id else None
    post = db.session.get(Post, post_id) if post_id else None
    if candidate is None or post is None:
        flash(_("No such candidate or post (write numbers such as C12 and P34)."), "danger")
        return redirect(url_for("staffing.pool", pool_id=pool_id))
    try:
        runs.set_pair_rule(found, candidate, post, form.kind.data, form.reason.data or "", current_user)
    except UserError as error:
        return _refuse(error, "staffing.pool", pool_id=pool_id)
    db.session.commit()
    flash(_("The rule has been added; start a new run to apply it."), "success")
    return redirect(url_for("staffing.pool", pool_id=pool_id))


@bp.route("/rules/<int:rule_id>/delete", methods=["POST"])
@requires("manage_staffing")
def delete_rule(rule_id: int):
    rule = get_or_404(PairRule, rule_id)
    pool_id = rule.pool_id
    try:
        runs.remove_pair_rule(rule, current_user)
    except UserError as error:
        return _refuse(error, "staffing.pool", pool_id=pool_id)
    db.session.commit()
    flash(_("The rule has been removed."), "success")
    return redirect(url_for("staffing.pool", pool_id=pool_id))


# ---- runs ----------------------------------------------------------------------------------------

@bp.route("/runs", endpoint="runs")
@requires("view_allocations")
def run_list():
    page = paginate(sa.select(AllocationRun).options(joinedload(AllocationRun.pool))
                    .order_by(AllocationRun.id.desc()))
    return render_template("staffing/runs.html", page=page, kinds=forms.KIND_LABELS,
                           mechanisms=forms.MECHANISM_LABELS, statuses=forms.RUN_STATUS_LABELS)


SECTIONS = ("assignments", "unfilled", "unassigned")


@bp.route("/runs/<int:run_id>")
@requires("view_allocations")
def run(run_id: int):
    found = get_or_404(AllocationRun, run_id, joinedload(AllocationRun.pool))
    section = request.args.get("section", "assignments")
    section = section if section in SECTIONS else "assignments"
    reviewed = runs.review(found) if found.status == "finished" else None
    page = ListPage(reviewed[section]) if reviewed else None
    names = exports.reason_names(found) if reviewed else None
    return render_template("staffing/run.html", run=found, section=section, page=page, reviewed=reviewed,
                           names=names, translate=translate, subjects=_subject_names(), vocab=vocab,
                           mechanisms=forms.MECHANISM_LABELS, statuses=forms.RUN_STATUS_LABELS,
                           kinds=forms.KIND_LABELS, import_form=forms.ResultImportForm(),
                           can_approve=can("approve_runs"), can_manage=can("manage_staffing"))


@bp.route("/runs/<int:run_id>/approve", methods=["POST"])
@requires("approve_runs")
def approve(run_id: int):
    found = get_or_404(AllocationRun, run_id)
    try:
        postings = runs.approve_run(found, current_user)
    except UserError as error:
        return _refuse(error, "staffing.run", run_id=run_id)
    db.session.commit()
    flash(_("Run approved: %(count)d postings created.", count=len(postings)), "success")
    return redirect(url_for("staffing.postings", run=run_id))


@bp.route("/runs/<int:run_id>/problem.json")
@requires("manage_staffing")
def export_problem(run_id: int):
    found = get_or_404(AllocationRun, run_id)
    if found.problem is None:
        abort(404)
    return _json_download(found.problem, f"run-{run_id}-problem.json")


@bp.route("/runs/<int:run_id>/result.json")
@requires("view_allocations")
def export_result(run_id: int):
    found = get_or_404(AllocationRun, run_id)
    if found.result is None:
        abort(404)
    return _json_download(found.result, f"run-{run_id}-result.json")


@bp.route("/runs/<int:run_id>/result.xlsx")
@requires("view_allocations")
def export_result_xlsx(run_id: int):
    found = get_or_404(AllocationRun, run_id)
    if found.result is None:
        abort(404)
    return Response(exports.result_workbook(found), mimetype=XLSX_CONTENT_TYPE,
                    headers={"Content-Disposition": f"attachment; filename=run-{run_id}-result.xlsx"})


@bp.route("/runs/<int:run_id>/import-result", methods=["POST"])
@requires("manage_staffing")
def import_result(run_id: int):
    found = get_or_404(AllocationRun, run_id)
    form = forms.ResultImportForm()
    if not form.validate_on_submit():
        flash(_("Choose a result document to import."), "danger")
        return redirect(url_for("staffing.run", run_id=run_id))
    try:
        imported = runs.import_result(found, form.file.data.read(), current_user)
    except UserError as error:
        return _refuse(error, "staffing.run", run_id=run_id)
    db.session.commit()
    flash(_("The result has been imported as run %(id)d.", id=imported.id), "success")
    return redirect(url_for("staffing.run", run_id=imported.id))


def _json_download(document: dict, filename: str) -> Response:
    return Response(json.dumps(document, ensure_ascii=False, indent=1), mimetype="application/json",
                    headers={"Content-Disposition": f"attachment; filename={filename}"})


# ---- postings ------------------------------------------------------------------------------------

@bp.route("/postings")
@requires("view_postings")
def postings():
    kind = request.args.get("kind", "")
    status = request.args.get("status", "")
    query = runs.posting_list(kind if kind in forms.KIND_LABELS else "",
                              status if status in forms.POSTING_STATUS_LABELS else "")
    run_id = request.args.get("run", type=int)
    if run_id:
        query = query.where(Posting.run_id == run_id)
    return render_template("staffing/postings.html", page=paginate(query), kinds=forms.KIND_LABELS,
                           statuses=forms.POSTING_STATUS_LABELS, kind=kind, status=status, run_id=run_id, vocab=vocab)


@bp.route("/postings/retention")
@requires("view_allocations")
def retention():
    page = paginate(runs.retention_review(date.today()))
    return render_template("staffing/retention.html", page=page, today=date.today(),
                           statuses=forms.POSTING_STATUS_LABELS, vocab=vocab)


@bp.route("/postings/obligations")
@requires("view_allocations")
def obligations():
    page = paginate(runs.obligation_list())
    return render_template("staffing/obligations.html", page=page, rows=runs.obligations(page.items, date.today()),
                           states=forms.OBLIGATION_STATES)


# ---- itinerant plans -----------------------------------------------------------------------------

@bp.route("/itinerant", methods=["GET", "POST"])
@requires("view_allocations")
def itinerant_plans():
    form = forms.ItinerantForm()
    form.county.choices = [SelectChoice(u.id, u.name) for u in _units(("county",))]
    if request.method == "POST":
        if not can("manage_staffing"):
            abort(403)
        if form.validate_on_submit():
            county = get_or_404(Unit, form.county.data)
            try:
                plan = itinerant.queue_plan(county, form.year.data, current_user)
            except UserError as error:
                return _refuse(error, "staffing.itinerant_plans")
            db.session.commit()
            from trainhub import jobs

            jobs.enqueue("trainhub.staffing.itinerant.execute_plan", plan.id)
            return redirect(url_for("staffing.itinerant_plan", plan_id=plan.id))
    page = paginate(sa.select(ItinerantPlan).options(joinedload(ItinerantPlan.county))
                    .order_by(ItinerantPlan.id.desc()))
    return render_template("staffing/itinerant_plans.html", form=form, page=page, statuses=forms.RUN_STATUS_LABELS,
                           can_manage=can("manage_staffing"))


@bp.route("/itinerant/<int:plan_id>")
@requires("view_allocations")
def itinerant_plan(plan_id: int):
    plan = get_or_404(ItinerantPlan, plan_id, joinedload(ItinerantPlan.county))
    return render_template("staffing/itinerant_plan.html", plan=plan, circuits=itinerant.circuits(plan),
                           subjects=_subject_names(), statuses=forms.RUN_STATUS_LABELS,
                           demands=len((plan.problem or {}).get("demands", [])))
