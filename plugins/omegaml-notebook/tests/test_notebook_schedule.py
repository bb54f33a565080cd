"""Schedules: cron or exact English, explained back, claimed exactly once by any number of schedulers."""
import threading
from datetime import datetime, timedelta, timezone

import pytest
from notebook_helpers import notebook

from omegaml_notebook import ScheduleError, jobs
from omegaml_notebook.cron import explain, to_cron
from omegaml_notebook.scheduler import claim, tick
from omegaml_notebook.schedule import set_schedule

FRIDAY_NOON = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def report(om):
    om.jobs.put(notebook("om.datasets.put({'n': n}, 'out')", parameters="n = 0"), "report")
    return "report"


def test_a_cron_schedule_is_stored_with_its_explanation_and_next_run_in_utc(om, report):
    schedule = set_schedule(om, report, "0 6 * * FRI", tz="Europe/Zurich", now=FRIDAY_NOON)
    assert schedule["cron"] == "0 6 * * FRI" and schedule["explanation"] == "at 06:00, on Friday"
    assert schedule["next_run"] == "2026-12-04T05:00:00.000000Z"  # 06:00 in Zurich (CET)
    assert jobs(om).get_schedule("report.ipynb") == schedule


@pytest.mark.parametrize("text, cron", [
    ("every minute", "* * * * *"), ("every 15 minutes", "*/15 * * * *"), ("hourly", "0 * * * *"),
    ("every 6 hours", "0 */6 * * *"), ("daily at 7:30", "30 7 * * *"), ("Every day at 23:05", "5 23 * * *"),
    ("weekdays at 06:00", "0 6 * * MON-FRI"), ("Fridays at 06:00", "0 6 * * FRI"),
    ("every monday at 9:00", "0 9 * * MON"),
])
def test_exact_english_forms_become_cron(text, cron):
    assert to_cron(text) == cron


@pytest.mark.parametrize("text, message", [
    ("every 7 minutes", "must divide 60 evenly"), ("fridays at 25:00", "hour 25 is not 0-23"),
    ("sometime on friday", "cannot read the schedule"), ("61 * * * *", "cannot read the schedule"), ("", "needs a cron"),
])
def test_schedules_that_are_not_exact_are_refused(text, message):
    with pytest.raises(ScheduleError, match=message):
        to_cron(text)


def test_explanations_read_back_common_schedules():
    assert explain("*/15 * * * *") == "every 15 minutes"
    assert explain("0 6 1 * *") == "at 06:00, on day 1 of the month"
    assert explain("30 7 * * MON-FRI") == "at 07:30, on Monday to Friday"


def test_an_unknown_time_zone_is_refused_and_nothing_changes(om, report):
    with pytest.raises(ScheduleError, match="unknown time zone 'Mars/Base'"):
        jobs(om).schedule(report, "0 6 * * *", tz="Mars/Base")
    assert jobs(om).get_schedule(report) is None


def test_only_notebooks_can_be_scheduled(om):
    om.jobs.put({"plain": 1}, "plain")
    with pytest.raises(ScheduleError, match="only notebooks can be scheduled"):
        jobs(om).schedule("plain", "0 6 * * *")


def test_next_runs_lists_the_coming_times_in_the_schedules_zone(om, report):
    jobs(om).schedule(report, "0 6 * * FRI", tz="Europe/Zurich")
    times = jobs(om).next_runs(report, 3)
    assert len(times) == 3 and all(t.endswith("06:00:00+01:00") for t in times)


def test_dropping_a_schedule_stops_it(om, report):
    set_schedule(om, report, "* * * * *", now=FRIDAY_NOON)
    assert jobs(om).drop_schedule(report) is True
    assert jobs(om).get_schedule(report) is None and jobs(om).drop_schedule(report) is False
    assert tick(om, now=FRIDAY_NOON + timedelta(hours=1)) == []


def test_putting_the_notebook_again_keeps_its_schedule(om, report):
    jobs(om).schedule(report, "0 6 * * *")
    om.jobs.put(notebook("x = 2"), "report")
    assert jobs(om).get_schedule(report)["cron"] == "0 6 * * *"


def test_nothing_fires_before_the_due_time(om, report):
    set_schedule(om, report, "0 6 * * *", now=FRIDAY_NOON)
    assert tick(om, now=FRIDAY_NOON + timedelta(hours=17, minutes=59)) == []


def test_a_due_job_runs_once_with_its_parameters_and_moves_to_the_next_time(om, report):
    set_schedule(om, report, "0 6 * * *", parameters={"n": 7}, now=FRIDAY_NOON)
    due = FRIDAY_NOON + timedelta(hours=18)
    (fired,) = tick(om, now=due + timedelta(seconds=1))
    assert fired["due"] == "2026-11-28T06:00:00.000000Z" and fired["task"].get()["status"] == "ok"
    assert om.datasets.get("out") == {"n": 7}
    assert jobs(om).runs(report)[0].attributes["scheduled_for"] == fired["due"]
    assert jobs(om).get_schedule(report)["next_run"] == "2026-11-29T06:00:00.000000Z"
    assert tick(om, now=due + timedelta(seconds=2)) == []


def test_runs_missed_while_no_scheduler_ran_are_run_once_on_start_up(om, report):
    set_schedule(om, report, "0 * * * *", now=FRIDAY_NOON)
    three_days_later = FRIDAY_NOON + timedelta(days=3, minutes=30)
    fired = tick(om, now=three_days_later)
    assert [f["run"] for f in fired] == [True] and len(jobs(om).runs(report)) == 1
    assert jobs(om).get_schedule(report)["next_run"] == "2026-11-30T13:00:00.000000Z"


def test_with_skip_missed_a_late_run_is_skipped_and_the_next_time_set(om, report):
    set_schedule(om, report, "0 * * * *", now=FRIDAY_NOON)
    fired = tick(om, now=FRIDAY_NOON + timedelta(days=3, minutes=30), skip_missed=True)
    assert [f["run"] for f in fired] == [False] and jobs(om).runs(report) == []
    assert jobs(om).get_schedule(report)["last_action"] == "skipped"


def test_a_claim_on_a_job_that_changed_meanwhile_is_lost(om, report):
    set_schedule(om, report, "0 * * * *", now=FRIDAY_NOON)
    doc = om.engine.meta_get(om.bucket, "jobs/", "report.ipynb")
    om.jobs.put(notebook("x = 1"), "report")  # a new revision
    assert claim(om, doc, FRIDAY_NOON + timedelta(hours=2)) is None


def test_a_job_dropped_after_the_scheduler_read_it_is_skipped(om, report):
    set_schedule(om, report, "0 * * * *", now=FRIDAY_NOON)
    doc = om.engine.meta_get(om.bucket, "jobs/", "report.ipynb")
    om.jobs.drop(report)
    assert claim(om, doc, FRIDAY_NOON + timedelta(hours=2)) is None


def test_schedulers_racing_for_a_due_run_fire_it_exactly_once(omega):
    omega.jobs.put(notebook("x = 1"), "report")
    set_schedule(omega, "report", "0 * * * *", now=FRIDAY_NOON)
    now = FRIDAY_NOON + timedelta(hours=1, seconds=1)
    fired, start = [], threading.Barrier(4)

    def scheduler():
        start.wait()
        fired.extend(f for f in tick(omega, now=now) if f["run"])

    threads = [threading.Thread(target=scheduler) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(fired) == 1 and len(jobs(omega).runs("report")) == 1
