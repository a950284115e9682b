"""An executive reads the readiness dashboard in a real browser, sees the chart drawn,
drills into a department and a learner, and signs a phase off."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

from playwright.sync_api import expect

from portal.extensions import db
from portal.rollout import services
from tests.e2e.conftest import login
from tests.rollout.conftest import Evidence, add_course, add_phase, make_wave


def test_executive_reads_the_dashboard_drills_down_and_signs_a_phase_off(page, make):
    executive = make.user(roles=("executive",), department="Sales", name="Erum Executive")
    course = add_course()
    evidence = Evidence(course)
    sales = make.department("Sales")
    evidence.assign(department=sales, due_on=date.today() - timedelta(days=2))
    learners = [
        make.user(roles=("learner",), department="Sales", name=f"Learner {n}") for n in range(4)
    ]
    for weeks_ago, learner in enumerate(learners[:3]):
        evidence.certify(learner, when=datetime.now(UTC) - timedelta(weeks=weeks_ago))
        evidence.quiz(learner, 85)
    evidence.quiz(learners[3], 30, 40, 50)  # stuck, and overdue
    plan = services.create_plan("CRM go-live", date.today() + timedelta(days=30), "", executive)
    phase = add_phase(plan, "Training", "in_progress", -10, 10)
    db.session.commit()
    make_wave(plan, [sales], criteria={"completion_rate": 75})

    login(page, executive)
    expect(page.get_by_role("heading", level=1)).to_have_text("Readiness dashboard")
    canvas = page.locator("#completions-chart")
    expect(canvas).to_be_visible()
    page.wait_for_function(
        "() => { const c = document.getElementById('completions-chart');"
        " return window.Chart && Chart.getChart(c) && c.width > 0 && c.height > 0; }"
    )
    drawn = page.evaluate(
        "() => { const chart = Chart.getChart(document.getElementById('completions-chart'));"
        " return {sets: chart.data.datasets.length,"
        " completed: chart.data.datasets[0].data.reduce((a, b) => a + (b || 0), 0)}; }"
    )
    assert drawn == {"sets": 3, "completed": 3}
    expect(page.get_by_test_id("today")).to_be_visible()
    expect(page.get_by_test_id("at-risk")).to_contain_text("Learner 3")

    page.get_by_test_id("heatmap").get_by_role("link", name="Sales").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sales")
    rows = page.get_by_test_id("department-learners")
    expect(rows).to_contain_text("Learner 3")
    rows.get_by_role("link", name="Learner 3").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Learner 3")
    expect(page.get_by_test_id("learner-quizzes")).to_contain_text("Basics quiz")

    page.goto(f"/rollout/phases/{phase.id}")
    form = page.get_by_test_id("signoff-form")
    form.get_by_label("Go", exact=True).check()
    form.get_by_label("Comment").fill("Training done for the pilot.")
    form.get_by_role("button", name="Sign").click()
    expect(page.locator(".alert-success")).to_contain_text("Signed off")
    history = page.get_by_test_id("signoffs")
    expect(history).to_contain_text("Erum Executive")
    expect(history).to_contain_text("Training done for the pilot.")
    expect(page.locator(".badge", has_text="Done").first).to_be_visible()


def test_the_demo_readiness_report_prints_on_one_page_with_its_numbers(page, app_ctx):
    import re

    from seed.people import DEMO_PASSWORD
    from seed.rollout_demo import create_demo_rollout

    create_demo_rollout()
    db.session.commit()
    login(page, "exec@demo.test", DEMO_PASSWORD)
    expect(page.get_by_test_id("heatmap")).to_contain_text("Sales")
    page.emulate_media(media="print")
    # On paper the chart's numbers run across the page; the screen's long table stays.
    expect(page.get_by_test_id("completions-print")).to_be_visible()
    expect(page.get_by_test_id("completions-table")).to_be_hidden()
    # The report carries the product's mark on paper, like every printed page.
    expect(page.locator("nav.navbar .brand-mark")).to_be_visible()
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1


CHART_STATE = """() => {
  const canvas = document.getElementById('completions-chart');
  const chart = Chart.getChart(canvas);
  const scale = (id) => ({max: chart.scales[id].max, ticks: chart.scales[id].ticks.length,
                          title: chart.options.scales[id].title.text});
  return {height: canvas.getBoundingClientRect().height,
          data: chart.data.datasets.map((set) => set.data),
          weekly: scale('weekly'), total: scale('total')};
}"""


def test_the_printed_chart_keeps_its_scales_titles_and_numbers(page, app_ctx):
    from seed.people import DEMO_PASSWORD
    from seed.rollout_demo import create_demo_rollout

    create_demo_rollout()
    db.session.commit()
    login(page, "exec@demo.test", DEMO_PASSWORD)
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.getElementById('completions-chart'))"
    )
    screen = page.evaluate(CHART_STATE)
    # Bars and lines have scales of their own, each titled with what it counts.
    assert screen["weekly"]["title"] == "Completions per week (bars)"
    assert screen["total"]["title"] == "Completions, total (lines)"
    weekly, *lines = ([value or 0 for value in values] for values in screen["data"])
    highest = {"weekly": max(weekly), "total": max(max(line) for line in lines)}
    assert highest["weekly"] <= screen["weekly"]["max"] < screen["total"]["max"]

    # A4 landscape less its margins, in print media: the chart is redrawn at its printed size.
    page.set_viewport_size({"width": 1062, "height": 733})
    page.emulate_media(media="print")
    page.wait_for_function(
        "() => document.getElementById('completions-chart').getBoundingClientRect().height > 200"
        " && Chart.getChart(document.getElementById('completions-chart')).height > 200"
    )
    printed = page.evaluate(CHART_STATE)
    assert printed["data"] == screen["data"]
    for axis in ("weekly", "total"):
        assert printed[axis]["title"] == screen[axis]["title"]
        assert printed[axis]["ticks"] >= 3, printed  # not one flat "0" tick
        assert highest[axis] <= printed[axis]["max"] <= 2 * highest[axis], printed


PHASES = (
    ("Strategy and alignment with the company's mission", -60, -30, "done"),
    ("System selection", -29, -10, "done"),
    ("Pilot", -9, 10, "in_progress"),
    ("Training every department before go-live", 11, 40, "planned"),
    ("Go-live", 41, 45, "planned"),
)

LABELS = """() => [...document.querySelectorAll('[data-testid=timeline] .timeline-row')]
.map((row) => {
  const label = row.querySelector('.timeline-label');
  const bar = row.querySelector('.timeline-bar').getBoundingClientRect();
  return {text: label.innerText.trim(), fits: label.scrollWidth <= label.clientWidth,
          visible: label.getBoundingClientRect().height > 0, left: bar.left, right: bar.right};
})"""


def test_the_plan_timeline_shows_whole_labels_and_reads_right_to_left_in_urdu(page, make):
    plan = services.create_plan(
        "CRM go-live", date.today() + timedelta(days=45), "", make.user(roles=("executive",))
    )
    for name, first, last, status in PHASES:
        add_phase(plan, name, status, first, last)
    db.session.commit()
    names = [name for name, *_ in PHASES]

    for width in (1366, 375):
        page.set_viewport_size({"width": width, "height": 900})
        login(page, make.user(roles=("executive",), locale="en"))
        labels = page.evaluate(LABELS)
        assert [label["text"] for label in labels] == names, width
        assert all(label["fits"] and label["visible"] for label in labels), (width, labels)
        assert labels[0]["left"] < labels[-1]["left"]  # left to right in English
        page.context.clear_cookies()

    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, make.user(roles=("executive",), locale="ur"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    labels = page.evaluate(LABELS)
    assert [label["text"] for label in labels] == names
    assert all(label["fits"] for label in labels), labels
    # Right to left, the plan starts on the right: each phase ends right of the next one.
    assert all(earlier["right"] > later["right"] for earlier, later in pairwise(labels))
    today = page.get_by_test_id("today").bounding_box()
    pilot = labels[2]
    assert pilot["left"] <= today["x"] <= pilot["right"]  # today falls in the pilot, mirrored too
    # The chart reads right to left too: its weeks run from the right.
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.getElementById('completions-chart'))"
    )
    weeks = page.evaluate("""() => {
      const x = Chart.getChart(document.getElementById('completions-chart')).scales.x;
      return [x.getPixelForTick(0), x.getPixelForTick(x.ticks.length - 1)];
    }""")
    assert weeks[0] > weeks[1]
