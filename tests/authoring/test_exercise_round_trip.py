"""Every check and every solution step of every built-in exercise survives its edit form:
read the form as the page shows it, send it back unchanged, and the stored item is identical."""

from __future__ import annotations

import copy
from html.parser import HTMLParser

import pytest

from portal.authoring import services
from portal.courseformat import CHECK_TYPES, read_course, read_folder
from portal.extensions import db
from portal.learning.importer import import_folders
from seed.learning_demo import COURSES_DIR


class FormReader(HTMLParser):
    """The values a browser would send for the form whose `attribute` equals `value`."""

    def __init__(self, attribute: str, value: str):
        super().__init__(convert_charrefs=True)
        self.wanted = (attribute, value)
        self.inside = False
        self.found = False
        self.fields: dict[str, str] = {}
        self._select: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get(self.wanted[0]) == self.wanted[1]:
            self.inside = self.found = True
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields[name] = attrs.get("value", "on")
            elif kind not in ("submit", "button"):
                self.fields[name] = attrs.get("value") or ""
        elif tag == "select" and name:
            self._select, self._first_option = name, None
        elif tag == "option" and self._select:
            option = attrs.get("value") or ""
            if self._first_option is None:
                self._first_option = option
                self.fields.setdefault(self._select, option)
            if "selected" in attrs:
                self.fields[self._select] = option
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            # As browsers do, the line break right after <textarea> is not part of the value.
            text = self.fields[self._textarea]
            self.fields[self._textarea] = text.removeprefix("\r\n" if text[:2] == "\r\n" else "\n")
            self._textarea = None


def read_form(html: str, attribute: str, value: str) -> dict[str, str]:
    reader = FormReader(attribute, value)
    reader.feed(html)
    assert reader.found, f"no form with {attribute}={value!r}"
    return reader.fields


def _builtin_exercises():
    found = []
    for folder in sorted(COURSES_DIR.iterdir()):
        if not (folder / "course.yaml").exists():
            continue
        bundle = read_course(read_folder(folder))
        if bundle.translation_of:
            continue  # same setup, checks and steps as its original (courses validate says so)
        found += [(bundle.slug, lesson) for lesson in bundle.lessons if lesson.kind == "exercise"]
    return found


EXERCISES = _builtin_exercises()
CHECKS = [
    pytest.param(slug, lesson.key, check["key"], id=f"{lesson.key}:{check['key']}")
    for slug, lesson in EXERCISES
    for check in lesson.content["checks"]
]
SETUP = [
    pytest.param(slug, lesson.key, record["key"], id=f"{lesson.key}:{record['key']}")
    for slug, lesson in EXERCISES
    for record in lesson.content["setup"]
]
STEPS = [
    pytest.param(slug, lesson.key, index, id=f"{lesson.key}:step-{index + 1}")
    for slug, lesson in EXERCISES
    for index, _step in enumerate(lesson.content["solution"])
]


def _original(slug: str, key: str) -> dict:
    lesson = next(lesson for s, lesson in EXERCISES if s == slug and lesson.key == key)
    return copy.deepcopy(lesson.content)


def _stored(slug: str, key: str) -> dict:
    from portal.learning.models import Course

    course = db.session.scalar(db.select(Course).where(Course.slug == slug))
    _draft, bundle = services.load(course)
    db.session.commit()
    return services.lesson_in(bundle, key).content


def _round_trip(client, slug, key, form_marker, endpoint):
    """The lesson as imported, then as stored after posting one item's form back unchanged."""
    before = _original(slug, key)
    page = client.get(f"/author/courses/{slug}/lessons/{key}").get_data(as_text=True)
    form = read_form(page, *form_marker)
    response = client.post(f"/author/courses/{slug}/lessons/{key}/{endpoint}", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return before, _stored(slug, key)


@pytest.fixture
def builtin(client, trainer, app_ctx, request):
    """The built-in course under test, imported (and published) as the demo does."""
    import_folders([COURSES_DIR / request.node.callspec.params["slug"]])
    db.session.commit()


def test_the_builtin_courses_hold_every_kind_of_check_and_step():
    """The round trips below cover nested filters, event data, per-event targets, `as`
    names and multi-action steps: the parts the forms once dropped or refused."""
    checks = [c for _s, lesson in EXERCISES for c in lesson.content["checks"]]
    steps = [s for _s, lesson in EXERCISES for s in lesson.content["solution"]]
    assert {c["type"] for c in checks} == set(CHECK_TYPES)
    assert any("data" in c for c in checks)
    assert any("target" in e for c in checks for e in c.get("events", []))
    assert any("entity" in str(c.get("target", {}).get("filter")) for c in checks)
    assert any(isinstance(s, dict) and "actions" in s for s in steps)
    assert any(isinstance(s, dict) and "as" in s for s in steps)
    assert len(CHECKS) > 30 and len(STEPS) > 30


@pytest.mark.parametrize(("slug", "key", "check_key"), CHECKS)
def test_every_builtin_check_round_trips_through_its_form(client, builtin, slug, key, check_key):
    before, after = _round_trip(client, slug, key, ("data-check-form", check_key), "checks")
    assert after["checks"] == before["checks"]
    assert after == before


@pytest.mark.parametrize(("slug", "key", "index"), STEPS)
def test_every_builtin_solution_step_round_trips_through_its_form(
    client, builtin, slug, key, index
):
    before, after = _round_trip(client, slug, key, ("data-step-form", str(index)), "solution")
    assert after["solution"][index] == before["solution"][index]
    assert after == before


@pytest.mark.parametrize(("slug", "key", "record_key"), SETUP)
def test_every_builtin_setup_record_round_trips_through_its_form(
    client, builtin, slug, key, record_key
):
    before, after = _round_trip(client, slug, key, ("data-setup-form", record_key), "setup")
    assert after == before
