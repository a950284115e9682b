"""The request's language is looked up once, and still follows force_locale."""

from __future__ import annotations

from flask_babel import force_locale

from portal import i18n


def test_templates_translate_in_the_forced_locale_and_back(app):
    template = app.jinja_env.from_string(
        '{{ _("Sign in") }}|{{ ngettext("%(num)d lesson", "%(num)d lessons", 2) }}'
    )
    with app.test_request_context():
        english = template.render()
        with force_locale("ur"):
            urdu = template.render()
        again = template.render()
    assert english == again == "Sign in|2 lessons"
    assert urdu == "سائن اِن کریں|2 اسباق"


def test_template_text_is_a_format_whose_values_are_escaped(app):
    template = app.jinja_env.from_string('{{ _("Due %(date)s", date=value) }} {{ _("100%%") }}')
    with app.test_request_context():
        assert template.render(value="<b>") == "Due &lt;b&gt; 100%"


def test_a_page_looks_up_its_translations_once(client, make, monkeypatch):
    calls = []
    original = i18n.load_translations

    def counted():
        calls.append(1)
        return original()

    client.login(make.user(roles=("learner",)))
    monkeypatch.setattr(i18n, "load_translations", counted)
    assert client.get("/learn/").status_code == 200
    assert len(calls) == 1
