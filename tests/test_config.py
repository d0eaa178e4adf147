"""Settings that change how the app talks to its database."""
import pytest
import sqlalchemy as sa

from tests.conftest import TEST_DATABASE_URL
from trainhub import create_app
from trainhub.extensions import db
from trainhub.schools.models import Unit


def test_postgresql_connections_never_prepare_statements():
    app = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql://nobody@127.0.0.1/none", "SECRET_KEY": "x"})
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"] == {"prepare_threshold": None}
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True
    sqlite = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
    assert "connect_args" not in sqlite.config["SQLALCHEMY_ENGINE_OPTIONS"]


@pytest.mark.postgres
def test_a_statement_run_many_times_on_one_connection_is_planned_each_time(app):
    """A prepared statement may fall back to a generic plan, which misjudges the scope's path matches."""
    if not (TEST_DATABASE_URL or "").startswith("postgresql"):
        pytest.skip("needs TRAINHUB_TEST_DATABASE_URL pointing at PostgreSQL")
    for _ in range(12):
        db.session.execute(sa.select(Unit.id).where(Unit.path.startswith("/620000/"))).all()
    assert db.session.scalar(sa.text("SELECT count(*) FROM pg_prepared_statements")) == 0
