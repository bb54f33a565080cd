"""The operations schema from an empty database, on SQLite, PostgreSQL and MariaDB (uniquely named databases)."""
from __future__ import annotations

import secrets

import pytest
import sqlalchemy as sa

from omegaml_core.runtime.testing import service_up

SERVERS = {
    "postgresql": ("127.0.0.1", 5432, "postgresql+psycopg://postgres@127.0.0.1:5432/{db}", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
    "mariadb": ("127.0.0.1", 3306, "mysql+pymysql://root@127.0.0.1:3306/{db}", "mysql+pymysql://root@127.0.0.1:3306/test"),
}
OPS_TABLES = {"omega_ops_plans", "omega_ops_configurations", "omega_ops_deployments", "omega_ops_commands",
              "omega_ops_tasks", "omega_ops_usage", "omega_ops_version"}


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def empty_url(request, tmp_path):
    """The URL of an empty database, created for this test and dropped after it."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    host, port, template, admin_url = SERVERS[request.param]
    if not service_up(host, port):
        pytest.skip(f"{request.param} is not running on {host}:{port}")
    name = f"omega_ops_{secrets.token_hex(4)}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield template.format(db=name)
    finally:
        with admin.connect() as connection:
            force = " WITH (FORCE)" if request.param == "postgresql" else ""
            connection.exec_driver_sql(f"DROP DATABASE {name}{force}")
        admin.dispose()


@pytest.fixture
def ops_on(empty_url, home, omega):
    from omegaml_server.accounts import Accounts

    from omegaml_ops import Ops

    ops = Ops(accounts=Accounts(empty_url), omega=omega)
    yield ops
    ops.close()


def test_upgrade_from_empty_creates_every_table_next_to_the_accounts(ops_on):
    from omegaml_ops import migrate

    tables = set(sa.inspect(ops_on.engine).get_table_names())
    assert OPS_TABLES <= tables and {"omega_users", "omega_accounts_version"} <= tables
    assert migrate.current(ops_on.engine) == "ops0001"


def test_downgrade_removes_only_the_operations_tables(ops_on):
    from omegaml_ops import migrate

    migrate.downgrade(ops_on.engine)
    tables = set(sa.inspect(ops_on.engine).get_table_names())
    assert not (OPS_TABLES - {"omega_ops_version"}) & tables and "omega_users" in tables
    migrate.upgrade(ops_on.engine)
    assert migrate.current(ops_on.engine) == "ops0001"


def test_sign_up_remove_and_a_refused_second_command_work_on_the_database(ops_on):
    from omegaml_ops import DeploymentBusy, State, signup

    new = signup(ops_on, "alice", "alice@example.com")
    assert ops_on.get_command(new.command.id).deployment_status == State.COMPLETED
    pending = ops_on.configure(new.command.deployment_id, "alice", run=False)
    with pytest.raises(DeploymentBusy, match=f"busy with command {pending.id}"):
        ops_on.remove(new.command.deployment_id, "alice")


def test_of_two_concurrent_commands_on_one_deployment_exactly_one_is_issued(ops_on):
    import threading

    from omegaml_ops import DeploymentBusy, signup

    deployment = signup(ops_on, "alice").command.deployment_id
    outcomes: list = []
    barrier = threading.Barrier(2)

    def configure() -> None:
        barrier.wait()
        try:
            outcomes.append(ops_on.configure(deployment, "alice", run=False).id)
        except DeploymentBusy as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=configure) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(type(o).__name__ for o in outcomes) == ["DeploymentBusy", "int"]
