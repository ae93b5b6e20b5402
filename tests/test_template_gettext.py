"""Templates look up the request's translations once per locale, not once per text
(languages.translations): a log page asks for a few hundred texts. A page rendered in
another language inside the request (force_locale) still gets that language."""

import flask_babel
from flask import render_template_string
from flask_babel import force_locale

MANY = "{% for n in range(50) %}{{ _('Vis flere') }} {{ ngettext('%(num)s stafettlogg', '%(num)s stafettlogger', n) }}{% endfor %}"


def test_fifty_texts_in_a_template_look_up_the_translations_once(app, monkeypatch):
    calls = []
    real = flask_babel.Domain.get_translations
    monkeypatch.setattr(flask_babel.Domain, "get_translations", lambda self: calls.append(1) or real(self))
    with app.test_request_context("/"), force_locale("nn"):
        html = render_template_string(MANY)
    assert html.count("Vis fleire") == 50 and "49 stafettloggar" in html
    assert len(calls) == 1


def test_a_forced_locale_is_followed_and_left(app):
    with app.test_request_context("/"):
        assert render_template_string('{{ _("Vis flere") }}') == "Vis flere"
        with force_locale("nn"):
            assert render_template_string('{{ _("Vis flere") }}') == "Vis fleire"
        assert render_template_string('{{ _("Vis flere") }}') == "Vis flere"


def test_a_text_is_one_call_from_the_template_and_reads_as_jinja_s_newstyle_gettext(app, monkeypatch):
    """_(), gettext and ngettext are one call each from the template (not an alias that
    asks the template's context for gettext, which asks it again): the same text as
    Jinja's newstyle gettext, escaped where the template escapes, always a format string."""
    from jinja2.runtime import Context

    calls = []
    real = Context.call
    monkeypatch.setattr(Context, "call", lambda self, f, *a, **k: calls.append(f) or real(self, f, *a, **k))
    with app.test_request_context("/"):
        html = render_template_string(MANY)
        assert (
            len([f for f in calls if f is not range]) == 100
            and html.count("Vis flere") == 50
            and "49 stafettlogger" in html
        )
        page = "{{ _('Fjerne %(name)s som foresatt?', name=who) }}|{{ _('100%% sikker') }}|{% trans %}Vis flere{% endtrans %}"
        assert render_template_string(page, who="<b>") == "Fjerne &lt;b&gt; som foresatt?|100% sikker|Vis flere"
        plain = app.jinja_env.from_string(
            "{% autoescape false %}{{ _('Fjerne %(name)s som foresatt?', name=who) }}{% endautoescape %}"
        )
        assert plain.render(who="<b>") == "Fjerne <b> som foresatt?"
        with force_locale("nn"):
            assert (
                render_template_string("{{ ngettext('%(num)s stafettlogg', '%(num)s stafettlogger', 2) }}")
                == "2 stafettloggar"
            )
