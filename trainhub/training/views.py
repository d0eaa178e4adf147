"""Training pages: thin routes that load, check, call one service, commit and redirect."""
from datetime import date

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from trainhub.accounts.permissions import can, requires
from trainhub.errors import UserError, refuse
from trainhub.exchange import flow
from trainhub.exchange.forms import ConfirmForm
from trainhub.extensions import db
from trainhub.i18n import current_language
from trainhub.pagination import paginate, paginate_rows
from trainhub.schools.models import Subject, Unit
from trainhub.scoping import get_or_404
from trainhub.spreadsheets import SpreadsheetRefused
from trainhub.teachers.models import Teacher
from trainhub.training import services
from trainhub.training.blueprint import bp
from trainhub.training.forms import (EvidenceForm, ProgrammeForm, ReasonForm, ResultsForm, SessionForm,
                                     TargetForm)
from trainhub.training.models import Enrolment, Notification, Programme, ProgrammeSession, TrainingTarget
from trainhub.training.vocab import (APPROVALS, ENROLMENT_STATUSES, EVIDENCE_TIERS, MODES, PROGRAMME_STATUSES,
                                     PROGRAMME_TRANSITIONS, TARGET_ROLES, TIERS, WAITLIST_REASONS)
from trainhub.vocab import STAGES, label


@bp.context_processor
def _labels():
    unread = services.unread_count(current_user.teacher_id) if current_user.is_authenticated else 0
    return {"tiers": TIERS, "modes": MODES, "programme_statuses": PROGRAMME_STATUSES, "approvals": APPROVALS,
            "enrolment_statuses": ENROLMENT_STATUSES, "waitlist_reasons": WAITLIST_REASONS,
            "evidence_tiers": EVIDENCE_TIERS, "target_roles": TARGET_ROLES, "stages": STAGES, "label": label,
            "unread_notifications": unread}


# ---- programmes ----------------------------------------------------------------------------------

@bp.route("/")
@requires("view_training")
def index():
    year = request.args.get("year", type=int)
    tier, status, q = request.args.get("tier", ""), request.args.get("status", ""), request.args.get("q", "").strip()
    page = paginate(services.programme_list(year, tier, status, q))
    return render_template("training/index.html", page=page, year=year, tier=tier, status=status, q=q,
                           can_create=bool(services.creatable_tiers(current_user)) and can("manage_training"))


def _fill_choices(form: ProgrammeForm) -> None:
    form.tier.choices = [SelectChoice(tier, TIERS[tier]) for tier in services.creatable_tiers(current_user)]
    form.target_subject_ids.choices = [SelectChoice(s.id, s.display_name(current_language()))
                                       for s in db.session.scalars(sa.select(Subject).order_by(Subject.code))]
    form.eligible_county_ids.choices = [SelectChoice(u.id, u.name) for u in db.session.scalars(
        sa.select(Unit).where(Unit.kind == "county").order_by(Unit.code))]


def _programme_input(form: ProgrammeForm) -> services.ProgrammeInput:
    return services.ProgrammeInput(**{name: form[name].data for name in services.ProgrammeInput.__dataclass_fields__})


@bp.route("/programmes/new", methods=["GET", "POST"])
@requires("manage_training")
def new_programme():
    if not services.creatable_tiers(current_user):
        abort(403)
    form = ProgrammeForm()
    _fill_choices(form)
    if request.method == "GET":
        form.year.data = date.today().year
    if form.validate_on_submit():
        try:
            programme = services.save_programme(None, _programme_input(form), current_user)
        except UserError as error:
            refuse(error, form)
        else:
            db.session.commit()
            flash(_("Programme saved. Add its sessions, then open it for applications."), "success")
            return redirect(url_for("training.programme", programme_id=programme.id))
    return render_template("training/programme_form.html", form=form, programme=None)


def _own(programme: Programme) -> None:
    """Only the organiser changes a programme (403 for others who can see it)."""
    if current_user.role == "school_admin":
        if programme.organiser_school_id != current_user.school_id:
            abort(403)
    elif programme.organiser_unit_id != current_user.unit_id:
        abort(403)


@bp.route("/programmes/<int:programme_id>/edit", methods=["GET", "POST"])
@requires("manage_training")
def edit_programme(programme_id: int):
    programme = get_or_404(Programme, programme_id)
    _own(programme)
    form = ProgrammeForm(obj=programme)
    _fill_choices(form)
    if form.validate_on_submit():
        try:
            services.save_programme(programme, _programme_input(form), current_user)
        except UserError as error:
            refuse(error, form)
        else:
            db.session.commit()
            flash(_("Programme saved."), "success")
            return redirect(url_for("training.programme", programme_id=programme.id))
    return render_template("training/programme_form.html", form=form, programme=programme)


@bp.route("/programmes/<int:programme_id>")
@requires("view_training")
def programme(programme_id: int):
    programme = get_or_404(Programme, programme_id)
    status = request.args.get("status", "")
    page = paginate(services.enrolment_list(programme, status))
    return render_template(
        "training/programme.html", programme=programme, page=page, status=status,
        counts=services.enrolment_counts(programme), session_form=SessionForm(), reason_form=ReasonForm(),
        is_organiser=_is_organiser(programme), can_manage=can("manage_training"), transitions=PROGRAMME_TRANSITIONS[programme.status],
        pending={enrolment.id: services.pending_stage(enrolment) for enrolment in page.items})


def _is_organiser(programme: Programme) -> bool:
    if not can("manage_training"):
        return False
    if current_user.role == "school_admin":
        return programme.organiser_school_id == current_user.school_id
    return programme.organiser_unit_id == current_user.unit_id


@bp.route("/programmes/<int:programme_id>/status/<status>", methods=["POST"])
@requires("manage_training")
def programme_status(programme_id: int, status: str):
    programme = get_or_404(Programme, programme_id)
    _own(programme)
    try:
        services.change_status(programme, status)
    except UserError as error:
        refuse(error)
    else:
        db.session.commit()
        flash(_("Status changed to %(status)s.", status=label(PROGRAMME_STATUSES, status)), "success")
    return redirect(url_for("training.programme", programme_id=programme_id))


@bp.route("/programmes/<int:programme_id>/sessions", methods=["POST"])
@requires("manage_training")
def add_session(programme_id: int):
    programme = get_or_404(Programme, programme_id)
    _own(programme)
    form = SessionForm()
    if not form.validate_on_submit():
        flash(_("Enter the day, topic and hours of the session."), "danger")
    else:
        try:
            services.add_session(programme, form.day.data, form.title.data, float(form.hours.data))
        except UserError as error:
            refuse(error)
        else:
            db.session.commit()
            flash(_("Session added."), "success")
    return redirect(url_for("training.programme", programme_id=programme_id))


# ---- quotas --------------------------------------------------------------------------------------

@bp.route("/programmes/<int:programme_id>/quotas", methods=["GET", "POST"])
@requires("manage_training")
def quotas(programme_id: int):
    programme = get_or_404(Programme, programme_id)
    _own(programme)
    today = date.today()
    if request.method == "POST":
        try:
            if request.form.get("action") == "apportion":
                services.apportion_quotas(programme, today)
            else:
                services.set_quotas(programme, _seat_numbers(request.form), today)
        except UserError as error:
            refuse(error)
        else:
            db.session.commit()
            flash(_("Seat quotas saved."), "success")
            return redirect(url_for("training.quotas", programme_id=programme_id))
    lines = services.quota_lines(programme, today)
    return render_template("training/quotas.html", programme=programme, lines=lines,
                           needs={line.key: services.need_score(line) for line in lines},
                           entered=request.form if request.method == "POST" else None)


def _seat_numbers(form) -> dict[str, int]:
    seats = {}
    for name, value in form.items():
        if not name.startswith("seats-"):
            continue
        value = value.strip() or "0"
        if not value.isdigit():
            raise UserError(_("Seats must be whole numbers of 0 or more."))
        seats[name.removeprefix("seats-")] = int(value)
    return seats


# ---- enrolment -----------------------------------------------------------------------------------

@bp.route("/programmes/<int:programme_id>/apply", methods=["POST"])
@requires("own_training")
def apply(programme_id: int):
    programme = get_or_404(Programme, programme_id)
    teacher = get_or_404(Teacher, current_user.teacher_id)
    try:
        enrolment = services.enrol(programme, teacher, current_user, date.today())
    except UserError as error:
        refuse(error)
    else:
        db.session.commit()
        flash(_outcome_message(enrolment), "success" if enrolment.status != "waitlisted" else "warning")
    return redirect(url_for("training.my_training"))


def _outcome_message(enrolment: Enrolment) -> str:
    name = enrolment.teacher.name
    if enrolment.status == "enrolled":
        return _("%(name)s is enrolled.", name=name)
    if enrolment.status == "waitlisted":
        return _("%(name)s is on the waitlist: %(reason)s", name=name,
                 reason=label(WAITLIST_REASONS, enrolment.waitlist_reason))
    return _("%(name)s has applied; the application waits for approval.", name=name)


@bp.route("/programmes/<int:programme_id>/nominate", methods=["GET", "POST"])
@requires("manage_training")
def nominate(programme_id: int):
    programme = get_or_404(Programme, programme_id)
    q, school_id = request.args.get("q", "").strip(), request.args.get("school_id", type=int)
    if request.method == "POST":
        ids = [int(value) for value in request.form.getlist("teacher_id") if value.isdigit()]
        teachers = services.teachers_to_nominate(ids)
        if not teachers:
            flash(_("Tick at least one teacher."), "danger")
        else:
            outcomes = services.nominate(programme, teachers, current_user, date.today())
            # Worded before the commit, which expires the enrolments and teachers they name.
            messages = [(str(outcome.problem), "danger") if outcome.problem
                        else (_outcome_message(outcome.enrolment), "success") for outcome in outcomes]
            db.session.commit()
            for message, category in messages:
                flash(message, category)
            return redirect(url_for("training.nominate", programme_id=programme_id, q=q or None,
                                    school_id=school_id))
    page = paginate_rows(services.nominee_rows(programme, q, school_id),
                         count=services.nominee_ids(programme, q, school_id))
    return render_template("training/nominate.html", programme=programme, page=page, q=q, school_id=school_id,
                           schools=services.nominee_school_options())


@bp.route("/enrolments/<int:enrolment_id>/approve", methods=["POST"])
@requires("manage_training")
def approve(enrolment_id: int):
    enrolment = get_or_404(Enrolment, enrolment_id)
    try:
        services.approve(enrolment, current_user, date.today())
    except UserError as error:
        refuse(error)
    else:
        db.session.commit()
        flash(_("Approved. %(outcome)s", outcome=_outcome_message(enrolment)), "success")
    return redirect(request.referrer or url_for("training.programme", programme_id=enrolment.programme_id))


@bp.route("/enrolments/<int:enrolment_id>/<any(reject, withdraw):action>", methods=["POST"])
@requires("see_training")
def end_enrolment(enrolment_id: int, action: str):
    enrolment = get_or_404(Enrolment, enrolment_id)
    if action == "reject" and not can("manage_training"):
        abort(403)
    if action == "withdraw" and not (can("manage_training") or can("own_training")):
        abort(403)
    form = ReasonForm()
    programme_id = enrolment.programme_id
    try:
        if not form.validate_on_submit():
            raise UserError(_("Give a reason."))
        (services.reject if action == "reject" else services.withdraw)(
            enrolment, form.reason.data, current_user, date.today())
    except UserError as error:
        refuse(error)
    else:
        db.session.commit()
        flash(_("Done."), "success")
    if current_user.role == "teacher":
        return redirect(url_for("training.my_training"))
    return redirect(url_for("training.programme", programme_id=programme_id))


# ---- attendance, results, certificates -----------------------------------------------------------

@bp.route("/sessions/<int:session_id>/attendance", methods=["GET", "POST"])
@requires("manage_training")
def attendance(session_id: int):
    programme_session = get_or_404(ProgrammeSession, session_id)
    programme = get_or_404(Programme, programme_session.programme_id)
    if request.method == "POST":
        ids = {int(value) for value in request.form.getlist("present") if value.isdigit()}
        present = services.record_attendance(programme_session, ids)
        db.session.commit()
        flash(_("Attendance saved: %(count)d present.", count=present), "success")
        return redirect(url_for("training.attendance", session_id=session_id))
    enrolments, present = services.attendance_grid(programme_session)
    return render_template("training/attendance.html", programme=programme, session=programme_session,
                           enrolments=enrolments, present=present)


def _results_pages(programme: Programme) -> flow.Pages:
    return flow.Pages(confirm_url=url_for("training.confirm_results", programme_id=programme.id),
                      back_url=url_for("training.results", programme_id=programme.id),
                      done_url=url_for("training.programme", programme_id=programme.id))


@bp.route("/programmes/<int:programme_id>/results", methods=["GET", "POST"])
@requires("manage_training")
def results(programme_id: int):
    """The results upload; a POST is the dry run, which reports every problem or offers the import."""
    programme = get_or_404(Programme, programme_id)
    _own(programme)
    form = ResultsForm()
    if form.validate_on_submit():
        try:
            return flow.dry_run(services.RESULTS, form.file.data, _results_pages(programme), programme)
        except SpreadsheetRefused as refusal:
            form.file.errors = [str(refusal.message)]
    status = 400 if form.errors else 200
    return render_template("training/results.html", programme=programme, form=form), status


@bp.route("/programmes/<int:programme_id>/results/confirm", methods=["POST"])
@requires("manage_training")
def confirm_results(programme_id: int):
    """Record the checked results: all rows, or none and the report."""
    programme = get_or_404(Programme, programme_id)
    _own(programme)
    form = ConfirmForm()
    token = form.token.data if form.validate_on_submit() else None
    return flow.confirm(services.RESULTS, token, _results_pages(programme), programme)


@bp.route("/programmes/<int:programme_id>/results/template.xlsx")
@requires("manage_training")
def results_template(programme_id: int):
    programme = get_or_404(Programme, programme_id)
    _own(programme)
    return flow.template_download(services.RESULTS, f"results-{programme.code}.xlsx")


@bp.route("/certificates/<int:enrolment_id>")
@requires("see_training")
def certificate(enrolment_id: int):
    enrolment = get_or_404(Enrolment, enrolment_id)
    if enrolment.status != "completed":
        abort(404)
    return render_template("training/certificate.html", enrolment=enrolment, programme=enrolment.programme)


# ---- hours ---------------------------------------------------------------------------------------

@bp.route("/teachers/<int:teacher_id>/hours", methods=["GET", "POST"])
@requires("view_training")
def teacher_hours(teacher_id: int):
    teacher = get_or_404(Teacher, teacher_id)
    form = EvidenceForm()
    if form.validate_on_submit():
        if not can("manage_training"):
            abort(403)
        try:
            services.add_evidence(teacher, form.tier.data, float(form.hours.data), form.day.data, form.title.data,
                                  form.note.data, form.is_induction.data, current_user, date.today())
        except UserError as error:
            refuse(error, form)
        else:
            db.session.commit()
            flash(_("Hours added."), "success")
            return redirect(url_for("training.teacher_hours", teacher_id=teacher_id))
    return render_template("training/teacher_hours.html", teacher=teacher, form=form,
                           **_cycle_context(teacher))


def _cycle_context(teacher: Teacher) -> dict:
    cycle = services.cycle_of(request.args.get("cycle", date.today().year, type=int))
    return {"cycle": cycle, "progress": services.cycle_progress([teacher.id], cycle)[teacher.id],
            "ledger": services.ledger(teacher, cycle),
            "cycles": [services.cycle_of(cycle.start_year - cycle.years), cycle,
                       services.cycle_of(cycle.end_year + 1)]}


# ---- targets -------------------------------------------------------------------------------------

@bp.route("/targets", methods=["GET", "POST"])
@requires("view_training")
def targets():
    form = TargetForm()
    form.unit_id.choices = [SelectChoice(unit.id, unit.name) for unit in services.target_units(current_user)]
    if request.method == "GET":
        form.year.data = date.today().year
    if form.validate_on_submit():
        if not can("set_training_targets"):
            abort(403)
        try:
            services.save_target(current_user, form.unit_id.data, form.tier.data, form.year.data,
                                 form.persons.data, form.rural_only.data)
        except UserError as error:
            refuse(error, form)
        else:
            db.session.commit()
            flash(_("Target saved."), "success")
            return redirect(url_for("training.targets"))
    year = request.args.get("year", type=int)
    query = sa.select(TrainingTarget).options(sa.orm.joinedload(TrainingTarget.unit)).order_by(
        TrainingTarget.year.desc(), TrainingTarget.unit_id, TrainingTarget.tier)
    if year:
        query = query.where(TrainingTarget.year == year)
    page = paginate(query)
    return render_template("training/targets.html", page=page, rows=services.target_progress(page.items),
                           form=form, can_set=can("set_training_targets") and bool(form.unit_id.choices),
                           year=year)


# ---- teacher self-service ------------------------------------------------------------------------

@bp.route("/my")
@requires("own_training")
def my_training():
    teacher = get_or_404(Teacher, current_user.teacher_id)
    today = date.today()
    return render_template("training/my.html", teacher=teacher, open_programmes=services.open_programmes_for(
        teacher, today), enrolments=services.enrolments_of(teacher), reason_form=ReasonForm(),
        **_cycle_context(teacher))


@bp.route("/notifications", methods=["GET", "POST"])
@requires("own_training")
def notifications():
    if request.method == "POST":
        services.mark_read(current_user.teacher_id)
        db.session.commit()
        return redirect(url_for("training.notifications"))
    page = paginate(sa.select(Notification).where(Notification.teacher_id == current_user.teacher_id)
                    .order_by(Notification.created_at.desc(), Notification.id.desc()))
    return render_template("training/notifications.html", page=page, text=services.notification_text)
