"""Command-line tasks: flask --app trainhub <command>.

Messages are for the operator at the console and stay in English. Every command commits
once at the end, so an error leaves the database as it was.
"""
from __future__ import annotations

import secrets
import time

import click
import sqlalchemy as sa
from flask_migrate import upgrade

from trainhub.accounts.passwords import password_problem
from trainhub.extensions import db

# Which kind of unit each unit-bound role may be attached to (an inspector may sit at any level).
ROLE_UNIT_KINDS = {
    "province_admin": {"province"},
    "prefecture_admin": {"prefecture"},
    "county_officer": {"county"},
    "inspector": {"province", "prefecture", "county"},
}


def init_app(app) -> None:
    app.cli.add_command(seed_demo)
    app.cli.add_command(create_user)


@click.command("seed-demo")
@click.option("--scale", type=click.Choice(["small", "prefecture"]), default="prefecture", show_default=True,
              help="small: 2 counties, ~20 schools, ~200 teachers. prefecture: Linxia, ~1,500 schools, ~25,000 teachers.")
@click.option("--seed", "seed_value", type=int, default=2024, show_default=True,
              help="Random seed: the same seed builds the same data.")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when the database already has units.")
@click.option("--password", default=None,
              help="Password of every demo account (default: a random one, printed at the end).")
def seed_demo(scale: str, seed_value: int, if_empty: bool, password: str | None) -> None:
    """Bring the schema up to date, then fill an empty database with demo data."""
    from trainhub import demo
    from trainhub.schools.models import Unit

    if password is not None and password_problem(password) is not None:
        raise click.UsageError(f"--password: {password_problem(password)}")
    started = time.perf_counter()
    upgrade(revision="heads")
    migrated = time.perf_counter() - started

    units = db.session.scalar(sa.select(sa.func.count()).select_from(Unit))
    if units:
        if if_empty:
            click.echo(f"The database already has {units} units: demo data not loaded.")
            return
        raise click.ClickException(
            f"The database already has {units} units. seed-demo only fills an empty database; "
            "use a new database, or pass --if-empty to skip quietly.")

    password = password or secrets.token_urlsafe(9)
    try:
        summary = demo.seed(scale, seed_value, password)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    # Fresh statistics: until autovacuum gets round to it, the planner plans for empty tables.
    db.session.execute(sa.text("ANALYZE"))
    db.session.commit()
    total = time.perf_counter() - started

    counts = summary.counts
    click.echo(f"Demo data ({scale}, seed {seed_value}): {counts['units']} units, {counts['schools']} schools, "
               f"{counts['students']} students, {counts['teachers']} teachers, {counts['subjects']} subjects.")
    for module_name, domain_counts in summary.domains.items():
        if domain_counts is None:
            click.echo(f"  {module_name}: not available yet, skipped.")
        else:
            click.echo(f"  {module_name}: " + (", ".join(f"{count} {name}" for name, count in domain_counts.items())
                                             or "nothing"))
    click.echo("Demo accounts (one password for all):")
    for account in summary.accounts:
        click.echo(f"  {account.role:<17} {account.username:<17} {account.where}")
    click.echo(f"  password: {password}")
    timings = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in summary.seconds.items())
    click.echo(f"Took {total:.1f} s (schema {migrated:.1f} s, {timings}).")


@click.command("create-user")
@click.argument("username")
@click.option("--role", required=True, help="province_admin, prefecture_admin, county_officer, school_admin, "
                                            "teacher or inspector.")
@click.option("--unit", "unit_code", help="Unit code (GB/T 2260) for province, prefecture, county and inspector roles.")
@click.option("--school", "school_code", help="School code for a school administrator.")
@click.option("--teacher", "teacher_ref", help="The teacher's ID number (or record id) for a teacher account.")
@click.option("--name", "display_name", help="Name shown in the app (default: the username, or the teacher's name).")
@click.option("--password", default=None, help="Password (prompted when left out).")
def create_user(username: str, role: str, unit_code: str | None, school_code: str | None,
                teacher_ref: str | None, display_name: str | None, password: str | None) -> None:
    """Create a user bound to a unit, a school or a teacher."""
    from trainhub.accounts.models import ROLES, User

    username = username.strip()
    if role not in ROLES:
        raise click.ClickException(f"Unknown role {role!r}. Roles: {', '.join(ROLES)}.")
    if not username or len(username) > 60:
        raise click.ClickException("The username must have 1 to 60 characters.")
    if db.session.scalar(sa.select(User.id).where(User.username == username)) is not None:
        raise click.ClickException(f"The username {username!r} is taken.")
    binding, default_name = _binding(role, unit_code, school_code, teacher_ref)

    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if password_problem(password, username) is not None:
        raise click.ClickException(str(password_problem(password, username)))

    user = User(username=username, display_name=(display_name or default_name or username)[:60], role=role,
                **binding)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {role} {username!r}.")


def _binding(role: str, unit_code: str | None, school_code: str | None,
             teacher_ref: str | None) -> tuple[dict, str | None]:
    """Check the role's one required binding and return it as User columns, with a default name."""
    from trainhub.schools.models import School, Unit
    from trainhub.teachers.models import Teacher

    given = {"--unit": unit_code, "--school": school_code, "--teacher": teacher_ref}
    needed = "--unit" if role in ROLE_UNIT_KINDS else "--school" if role == "school_admin" else "--teacher"
    extra = [option for option, value in given.items() if value and option != needed]
    if not given[needed]:
        raise click.ClickException(f"The role {role} needs {needed}.")
    if extra:
        raise click.ClickException(f"The role {role} takes {needed} only, not {', '.join(extra)}.")

    if needed == "--unit":
        unit = db.session.scalars(sa.select(Unit).where(Unit.code == unit_code.strip())).first()
        if unit is None:
            raise click.ClickException(f"No unit has the code {unit_code!r}.")
        if unit.kind not in ROLE_UNIT_KINDS[role]:
            raise click.ClickException(f"A {role} belongs to a {' or '.join(sorted(ROLE_UNIT_KINDS[role]))}; "
                                       f"{unit.code} {unit.name} is a {unit.kind}.")
        return {"unit_id": unit.id}, None
    if needed == "--school":
        school = db.session.scalars(sa.select(School).where(School.code == school_code.strip())).first()
        if school is None:
            raise click.ClickException(f"No school has the code {school_code!r}.")
        return {"school_id": school.id}, None

    reference = teacher_ref.strip().upper()
    by_column = Teacher.id == int(reference) if reference.isdigit() and len(reference) < 15 else \
        Teacher.id_number == reference
    teacher = db.session.scalars(sa.select(Teacher).where(by_column)).first()
    if teacher is None:
        raise click.ClickException(f"No teacher has the ID number or record id {teacher_ref!r}.")
    from trainhub.accounts.models import User

    if db.session.scalar(sa.select(User.id).where(User.teacher_id == teacher.id)) is not None:
        raise click.ClickException(f"The teacher {teacher.name} already has an account.")
    return {"teacher_id": teacher.id}, teacher.name
