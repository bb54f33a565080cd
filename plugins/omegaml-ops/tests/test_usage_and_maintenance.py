"""Usage from the runtime's task hooks, the monthly report, and periodic maintenance."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from omegaml_ops import signup
from omegaml_ops.usage import record, report


def this_month() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m")


def test_runtime_task_seconds_are_counted_for_the_owner_of_the_bucket(ops, omega):
    new = signup(ops, "alice")
    assert report(ops.engine, "alice", this_month())["total"]["task_seconds"] == 0  # ops' own tasks do not count
    omega[new.bucket].runtime.ping()
    omega["nobodys"].runtime.ping()
    usage = report(ops.engine, "alice", this_month())
    assert usage["total"]["task_seconds"] > 0 and usage["days"][0]["day"] == str(datetime.now(timezone.utc).date())
    assert report(ops.engine, "", this_month())["total"]["task_seconds"] > 0


def test_the_report_sums_per_day_within_the_month_only(ops):
    for day, amount in ((date(2026, 11, 1), 1), (date(2026, 11, 1), 2), (date(2026, 11, 30), 4), (date(2026, 12, 1), 8)):
        record(ops.engine, "requests", amount, bucket="b", username="alice", day=day)
    usage = report(ops.engine, "alice", "2026-11")
    assert [(d["day"], d["requests"]) for d in usage["days"]] == [("2026-11-01", 3), ("2026-11-30", 4)]
    assert usage["total"] == {"task_seconds": 0, "requests": 7}
    assert report(ops.engine, "alice", "2026-12")["total"]["requests"] == 8


@pytest.mark.parametrize("month", ["2026-13", "11-2026", "2026"])
def test_a_bad_month_is_refused_saying_the_form(ops, month):
    with pytest.raises(ValueError, match="use YYYY-MM"):
        report(ops.engine, "alice", month)


def test_an_unknown_metric_is_refused(ops):
    with pytest.raises(ValueError, match="usage metric 'cpu' is not one of"):
        record(ops.engine, "cpu", 1)


def test_maintenance_reports_a_deployment_whose_grant_went_missing(ops):
    from omegaml_ops.maintain import maintain

    signup(ops, "alice"), signup(ops, "bob")
    assert maintain(ops, gc_min_age=3600).ok
    ops.accounts.revoke_grant("bob", "bob")
    report_ = maintain(ops, gc_min_age=3600)
    assert not report_.ok and len(report_.unhealthy) == 1 and "'bob' has no grant on bucket 'bob'" in report_.unhealthy[0]


def test_maintenance_revokes_expired_keys_only(ops):
    from datetime import timedelta

    from sqlalchemy import text

    from omegaml_ops.maintain import maintain

    ops.accounts.create_user("alice")
    expiring = ops.accounts.create_key("alice", expires=timedelta(days=1))
    lasting = ops.accounts.create_key("alice", expires=timedelta(days=30))
    with ops.accounts.engine.begin() as connection:  # a day later
        connection.execute(text("update omega_api_keys set expires = :past where key_id = :id"),
                           {"past": datetime.now(timezone.utc) - timedelta(seconds=1), "id": expiring.key_id})
    assert maintain(ops).expired_keys == [expiring.key_id]
    revoked = {k.key_id: k.revoked is not None for k in ops.accounts.list_keys("alice")}
    assert revoked == {expiring.key_id: True, lasting.key_id: False}
