"""Frozen value types of the allocation engine: the problem, its rules and the result."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

KINDS = ("special_post", "rotation", "support", "silver_age")
MECHANISMS = ("coverage", "merit", "balanced")
STATUSES = ("optimal", "feasible", "infeasible", "error")


@dataclass(frozen=True)
class School:
    id: str
    county: str
    lat: float | None = None
    lon: float | None = None
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Post:
    id: str
    school: str
    subject: str
    stage: str
    seats: int
    weight: int


@dataclass(frozen=True)
class Candidate:
    id: str
    subjects: tuple[str, ...]
    stages: tuple[str, ...]
    score: float = 0.0
    preferences: tuple[str, ...] | None = None
    counties: tuple[str, ...] = ()
    home_school: str | None = None
    is_key_teacher: bool = False
    max_distance_km: float | None = None


@dataclass(frozen=True)
class Pair:
    candidate: str
    post: str


@dataclass(frozen=True)
class SourceSchoolBound:
    school: str
    min_out: int | None = None
    max_out: int | None = None


@dataclass(frozen=True)
class Rules:
    max_distance_km: float | None = None
    min_key_teacher_share: float | None = None
    source_schools: tuple[SourceSchoolBound, ...] = ()
    locked: tuple[Pair, ...] = ()
    forbidden: tuple[Pair, ...] = ()

    @property
    def has_count_rules(self) -> bool:
        """Tell whether a rule couples candidates (needs an integer program)."""
        return bool(self.source_schools) or bool(self.min_key_teacher_share)


@dataclass(frozen=True)
class Weights:
    envy_penalty: float = 1.0


@dataclass(frozen=True)
class Problem:
    kind: str
    mechanism: str
    schools: tuple[School, ...]
    posts: tuple[Post, ...]
    candidates: tuple[Candidate, ...]
    rules: Rules = field(default_factory=Rules)
    weights: Weights = field(default_factory=Weights)

    @cached_property
    def school_index(self) -> dict[str, int]:
        return {school.id: i for i, school in enumerate(self.schools)}

    @cached_property
    def post_index(self) -> dict[str, int]:
        return {post.id: i for i, post in enumerate(self.posts)}

    @cached_property
    def candidate_index(self) -> dict[str, int]:
        return {candidate.id: i for i, candidate in enumerate(self.candidates)}


@dataclass(frozen=True)
class Reason:
    """A short English sentence plus a machine form (code and parameters) for translation."""

    text: str
    code: str
    params: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Assignment:
    candidate: str
    post: str
    rank: int
    distance_km: int | None
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class Unfilled:
    post: str
    seats: int
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class Unassigned:
    candidate: str
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class Objective:
    weight: int = 0
    rank_sum: int = 0
    distance_km: int = 0
    justified_envy: int = 0


@dataclass(frozen=True)
class Stats:
    method: str
    build_seconds: float = 0.0
    solve_seconds: float = 0.0
    bound: float | None = None
    gap: float | None = None
    # Coverage under a key-teacher share: a proven lower bound on rank_sum * scale + distance_km
    # among assignments with the weight bound, and that scale (one more than the largest total distance).
    rank_distance_bound: int | None = None
    rank_distance_scale: int | None = None


@dataclass(frozen=True)
class Result:
    status: str
    objective: Objective
    assignments: tuple[Assignment, ...]
    unfilled: tuple[Unfilled, ...]
    unassigned: tuple[Unassigned, ...]
    stats: Stats
    reasons: tuple[Reason, ...] = ()
