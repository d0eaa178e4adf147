"""Helpers for the web tests: counting SQL statements, a valid teacher form."""
from contextlib import contextmanager
from datetime import date

from sqlalchemy import event

from trainhub.extensions import db
from trainhub.idnumber import make as make_id_number


@contextmanager
def count_statements():
    """Count the SQL statements the block sends to the database."""
    statements = []

    def _count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", _count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", _count)


def teacher_form(school, subject, **overrides) -> dict:
    """Form data for a valid new teacher at `school`."""
    data = {
        "name": "王老师",
        "id_number": make_id_number("622921", date(1990, 5, 17), 123),
        "school_id": str(school.id),
        "subject_id": str(subject.id),
        "certificate_stages": ["primary"],
        "employment_type": "regular",
        "degree": "bachelor",
        "title": "junior",
        "key_teacher_level": "none",
        "status": "active",
        "hire_date": "2012-09-01",
        "at_school_since": "2016-09-01",
    }
    data.update(overrides)
    return data
