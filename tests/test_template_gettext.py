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
