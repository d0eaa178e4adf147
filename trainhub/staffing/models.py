"""Staffing: norms per province, posts, candidate pools, allocation runs, postings, itinerant plans."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainhub.extensions import db
from trainhub.idnumber import mask
from trainhub.schools.models import School, Subject, Unit
from trainhub.scoping import Scope, scope_rule
from trainhub.teachers.models import Teacher

KINDS = ("special_post", "rotation", "support", "silver_age")
DIRECTED_PROGRAMMES = ("free_normal", "excellent_teacher")  # 公费师范生, 优师计划
MECHANISMS = ("coverage", "merit", "balanced")
RUN_STATUSES = ("queued", "running", "finished", "failed")
POSTING_STATUSES = ("planned", "active", "ended")


class StaffingNorm(db.Model):
    """A province's staffing norms and allocation settings (all local, all editable)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), unique=True)
    # Students per staff member (2014 unified urban-rural standard).
    students_per_staff_senior: Mapped[float] = mapped_column(default=12.5)
    students_per_staff_junior: Mapped[float] = mapped_column(default=13.5)
    students_per_staff_primary: Mapped[float] = mapped_column(default=19.0)
    # Small rural schools and teaching points: staff per class, when larger than the student ratio.
    staff_per_class_primary: Mapped[float] = mapped_column(default=1.5)
    staff_per_class_junior: Mapped[float] = mapped_column(default=2.5)
    # {stage: {subject code: share of the stage's teaching need}}
    curriculum_shares: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    rotation_years: Mapped[int] = mapped_column(default=6)
    rotation_min_share: Mapped[float] = mapped_column(default=0.10)
    min_key_teacher_share: Mapped[float] = mapped_column(default=0.20)
    special_post_max_age: Mapped[int] = mapped_column(default=30)
    special_post_max_age_master: Mapped[int] = mapped_column(default=35)
    silver_age_max_age: Mapped[int] = mapped_column(default=65)
    special_post_term_years: Mapped[int] = mapped_column(default=3)
    rotation_term_years: Mapped[int] = mapped_column(default=1)
    support_term_years: Mapped[int] = mapped_column(default=1)
    silver_age_term_years: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=datetime.utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)

    unit: Mapped[Unit] = relationship()

    def students_per_staff(self, stage: str) -> float | None:
        return {"senior": self.students_per_staff_senior, "junior": self.students_per_staff_junior,
                "primary": self.students_per_staff_primary}.get(stage)

    def staff_per_class(self, stage: str) -> float | None:
        return {"primary": self.staff_per_class_primary, "junior": self.staff_per_class_junior}.get(stage)

    def term_years(self, kind: str) -> int:
        return {"special_post": self.special_post_term_years, "rotation": self.rotation_term_years,
                "support": self.support_term_years, "silver_age": self.silver_age_term_years}[kind]


class Post(db.Model):
    """A vacancy of one recruitment year: seats of a subject and stage at a school, with a priority weight."""

    __table_args__ = (sa.UniqueConstraint("year", "kind", "school_id", "subject_id", "stage",
                                          name="uq_post_year_kind_school_subject_stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(sa.String(16), index=True, default="special_post")
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"), index=True)
    subject_id: Mapped[int] = mapped_column(sa.ForeignKey("subject.id"), index=True)
    stage: Mapped[str] = mapped_column(sa.String(12))
    seats: Mapped[int] = mapped_column(default=1)
    shortage: Mapped[float] = mapped_column(default=0.0)  # the school's shortage when the post was generated
    weight_derived: Mapped[int] = mapped_column(default=1)
    weight_parts: Mapped[list] = mapped_column(sa.JSON, default=list)  # [{"code": ..., "points": ...}]
    weight_override: Mapped[int | None]
    override_reason: Mapped[str | None] = mapped_column(sa.String(200))
    # Set, by a conditional UPDATE, when a run that fills the post is approved.
    filled_by_run_id: Mapped[int | None] = mapped_column(sa.ForeignKey("allocation_run.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=datetime.utcnow)

    school: Mapped[School] = relationship()
    subject: Mapped[Subject] = relationship()

    @property
    def weight(self) -> int:
        return self.weight_override if self.weight_override is not None else self.weight_derived

    @property
    def label(self) -> str:
        return f"P{self.id}"


class CandidatePool(db.Model):
    """The candidates of one allocation: special-post applicants, rotation, support or silver-age teachers."""

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16), index=True)
    year: Mapped[int] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    reference_date: Mapped[date]  # ages are checked on this day
    term_start: Mapped[date]
    status: Mapped[str] = mapped_column(sa.String(10), default="open", index=True)  # open, approved
    approved_run_id: Mapped[int | None]  # the run whose approval closed the pool (no FK: runs point here)
    created_at: Mapped[datetime] = mapped_column(default=datetime.utcnow)

    unit: Mapped[Unit] = relationship()


class Candidate(db.Model):
    __table_args__ = (sa.UniqueConstraint("pool_id", "id_number", name="uq_candidate_pool_id_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(sa.ForeignKey("candidate_pool.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(40))
    id_number: Mapped[str] = mapped_column(sa.String(18), index=True)
    gender: Mapped[str] = mapped_column(sa.String(6))
    birth_date: Mapped[date]
    degree: Mapped[str] = mapped_column(sa.String(12), default="bachelor")
    subjects: Mapped[list] = mapped_column(sa.JSON, default=list)  # subject codes
    stages: Mapped[list] = mapped_column(sa.JSON, default=list)
    exam_score: Mapped[float | None]
    interview_score: Mapped[float | None]
    choices: Mapped[list] = mapped_column(sa.JSON, default=list)  # post labels ("P12") or county codes, in order
    teacher_id: Mapped[int | None] = mapped_column(sa.ForeignKey("teacher.id"), index=True)
    home_school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("school.id"), index=True)
    is_key_teacher: Mapped[bool] = mapped_column(default=False)
    # Directed-training graduates (公费师范生, 优师计划) owe years of service in their home county
    # and are placed before open recruitment.
    directed_programme: Mapped[str | None] = mapped_column(sa.String(20))
    obligation_years: Mapped[int | None]
    obligation_county: Mapped[str | None] = mapped_column(sa.String(12))  # county code

    pool: Mapped[CandidatePool] = relationship()
    teacher: Mapped[Teacher | None] = relationship()
    home_school: Mapped[School | None] = relationship()

    @property
    def id_number_masked(self) -> str:
        return mask(self.id_number)

    @property
    def label(self) -> str:
        return f"C{self.id}"

    @property
    def score(self) -> float:
        """Merit order: the exam score, ties broken by the interview score."""
        return round((self.exam_score or 0.0) + (self.interview_score or 0.0) / 1000.0, 4)


class PairRule(db.Model):
    """An officer's decision on one candidate and post: lock them together, or forbid the pair."""

    __table_args__ = (sa.UniqueConstraint("pool_id", "candidate_id", "post_id", name="uq_pair_rule_pool_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(sa.ForeignKey("candidate_pool.id", ondelete="CASCADE"), index=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidate.id", ondelete="CASCADE"), index=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("post.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(8))  # lock, forbid
    reason: Mapped[str | None] = mapped_column(sa.String(200))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=datetime.utcnow)

    candidate: Mapped[Candidate] = relationship()
    post: Mapped[Post] = relationship()


class AllocationRun(db.Model):
    """One solve of a pool's problem with one mechanism, run in the background."""

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(sa.ForeignKey("candidate_pool.id", ondelete="CASCADE"), index=True)
    mechanism: Mapped[str] = mapped_column(sa.String(10))
    status: Mapped[str] = mapped_column(sa.String(10), default="queued", index=True)
    queued_at: Mapped[datetime] = mapped_column(default=datetime.utcnow, index=True)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(sa.Text)
    problem: Mapped[dict | None] = mapped_column(sa.JSON)
    result: Mapped[dict | None] = mapped_column(sa.JSON)
    summary: Mapped[dict | None] = mapped_column(sa.JSON)
    is_imported: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    approved_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)

    pool: Mapped[CandidatePool] = relationship()

    @property
    def seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None

    @property
    def wait_seconds(self) -> float | None:
        if self.started_at:
            return (self.started_at - self.queued_at).total_seconds()
        return None


class Posting(db.Model):
    """A teacher placed at a school for a term, from an approved run."""

    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(sa.ForeignKey("teacher.id"), index=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"), index=True)
    home_school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("school.id"), index=True)
    subject_id: Mapped[int] = mapped_column(sa.ForeignKey("subject.id"), index=True)
    stage: Mapped[str] = mapped_column(sa.String(12))
    kind: Mapped[str] = mapped_column(sa.String(16), index=True)
    start_date: Mapped[date]
    end_date: Mapped[date] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(sa.String(8), default="planned", index=True)
    run_id: Mapped[int | None] = mapped_column(sa.ForeignKey("allocation_run.id"), index=True)
    post_id: Mapped[int | None] = mapped_column(sa.ForeignKey("post.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=datetime.utcnow)

    teacher: Mapped[Teacher] = relationship()
    school: Mapped[School] = relationship(foreign_keys=[school_id])
    home_school: Mapped[School | None] = relationship(foreign_keys=[home_school_id])
    subject: Mapped[Subject] = relationship()


class ItinerantPlan(db.Model):
    """A county's weekly itinerant-teaching (走教) plan for its small schools' scarce subjects."""

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(sa.String(10), default="queued", index=True)
    queued_at: Mapped[datetime] = mapped_column(default=datetime.utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(sa.Text)
    problem: Mapped[dict | None] = mapped_column(sa.JSON)
    result: Mapped[dict | None] = mapped_column(sa.JSON)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)

    county: Mapped[Unit] = relationship()


# ---- scope rules: a unit's officers see its subtree; schools see nothing of pools and runs -------

@scope_rule(StaffingNorm)
def _norm(scope: Scope):
    # Every user may read the norms of the provinces above them (the Unit rule admits ancestors).
    return lambda cls: cls.unit_id.in_(sa.select(Unit.id))


@scope_rule(Post)
def _post(scope: Scope):
    return lambda cls: cls.school_id.in_(sa.select(School.id))


@scope_rule(CandidatePool)
def _pool(scope: Scope):
    if scope.unit_path is None:
        return lambda cls: cls.id.is_(None)
    root = scope.unit_path
    return lambda cls: cls.unit_id.in_(sa.select(Unit.id).where(Unit.path.startswith(root)))


@scope_rule(Candidate)
def _candidate(scope: Scope):
    return lambda cls: cls.pool_id.in_(sa.select(CandidatePool.id))


@scope_rule(PairRule)
def _pair_rule(scope: Scope):
    return lambda cls: cls.pool_id.in_(sa.select(CandidatePool.id))


@scope_rule(AllocationRun)
def _run(scope: Scope):
    return lambda cls: cls.pool_id.in_(sa.select(CandidatePool.id))


@scope_rule(Posting)
def _posting(scope: Scope):
    if scope.teacher_id is not None:
        teacher_id = scope.teacher_id
        return lambda cls: cls.teacher_id == teacher_id
    return lambda cls: sa.or_(cls.school_id.in_(sa.select(School.id)), cls.home_school_id.in_(sa.select(School.id)))


@scope_rule(ItinerantPlan)
def _itinerant_plan(scope: Scope):
    if scope.unit_path is None:
        return lambda cls: cls.id.is_(None)
    root = scope.unit_path
    return lambda cls: cls.county_id.in_(sa.select(Unit.id).where(Unit.path.startswith(root)))
