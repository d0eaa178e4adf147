"""One demo account per role, all on the county and school the demo is about."""
from __future__ import annotations

from dataclasses import dataclass

from werkzeug.security import generate_password_hash

from trainhub.accounts.models import User
from trainhub.demo.registry import Registry
from trainhub.extensions import db

# The county whose officer, school and teacher the demo accounts use (东乡族自治县).
DEMO_COUNTY = "622926"


@dataclass(frozen=True)
class DemoAccount:
    role: str
    username: str
    display_name: str
    where: str  # the unit, school or teacher the account is bound to


def create(registry: Registry, password: str) -> list[DemoAccount]:
    """Create the six demo users with one shared password; return what to print."""
    county_code = DEMO_COUNTY if DEMO_COUNTY in registry.county_ids else next(iter(registry.county_ids))
    county_id = registry.county_ids[county_code]
    school_index = _demo_school(registry, county_id)
    school, school_id = registry.schools[school_index], registry.school_ids[school_index]
    teacher = _demo_teacher(registry, school_id)
    county_name = school.county.name

    specs = [
        ("province_admin", "province_admin", "省级管理员", {"unit_id": registry.province_id}, "甘肃省"),
        ("prefecture_admin", "prefecture_admin", "州级管理员", {"unit_id": registry.prefecture_id}, "临夏回族自治州"),
        ("county_officer", "county_officer", "县教育局人事科", {"unit_id": county_id}, county_name),
        ("school_admin", "school_admin", "学校管理员", {"school_id": school_id}, school.name),
        ("teacher", "teacher", teacher["name"], {"teacher_id": teacher["id"]}, f"{teacher['name']} ({school.name})"),
        ("inspector", "inspector", "州教育督导", {"unit_id": registry.prefecture_id}, "临夏回族自治州"),
    ]
    password_hash = generate_password_hash(password)  # hashing is slow by design: once for all six
    accounts = []
    for role, username, display_name, binding, where in specs:
        user = User(username=username, display_name=display_name, role=role, password_hash=password_hash,
                    **binding)
        db.session.add(user)
        accounts.append(DemoAccount(role, username, display_name, where))
    db.session.flush()
    return accounts


def _demo_school(registry: Registry, county_id: int) -> int:
    """The index of the county's first central primary school (else its first school)."""
    county_codes = {unit_id: code for code, unit_id in registry.county_ids.items()}
    in_county = [index for index, school in enumerate(registry.schools)
                 if school.county.code == county_codes[county_id]]
    central = [index for index in in_county if registry.schools[index].kind == "central_primary"]
    return (central or in_county)[0]


def _demo_teacher(registry: Registry, school_id: int) -> dict:
    """An active regular teacher of the school who is not its principal."""
    staff = [row for row in registry.teacher_rows if row["school_id"] == school_id and row["status"] == "active"]
    ordinary = [row for row in staff if not row["is_principal"] and row["employment_type"] == "regular"]
    return (ordinary or staff)[0]
