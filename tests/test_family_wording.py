"""What a family reads, said as their language says it: a count in the plural form the
language gives that number, a sentence made of parts translated as one sentence (not
glued with a Norwegian comma), a date written as the language writes it, and a refused
document page that is the family's own page."""

import datetime as dt

import pytest
from flask import render_template_string
from flask_babel import force_locale

from stafettlogg import dates

pytestmark = pytest.mark.db


def test_a_long_date_in_north_sami_is_written_as_sami_write_it(app):
    """Babel's CLDR data for North Sámi has no date pattern of its own: the filter wrote
    «2026 njukčamánnu 5» (the root's year-month-day). Sámi write the month in the
    genitive before the day: «njukčamánu 5. b. 2026»."""
    page = "{{ day|longdate }}"
    with app.test_request_context("/"), force_locale("se"):
        assert render_template_string(page, day=dt.date(2026, 3, 5)) == "njukčamánu 5. b. 2026"
        assert dates.format_long_date(dt.date(2026, 1, 31)) == "ođđajagemánu 31. b. 2026"
        assert dates.format_long_date(dt.datetime(2026, 12, 31, 23, 30)) == "ođđajagemánu 1. b. 2027"  # Oslo time
    with app.test_request_context("/"), force_locale("nn"):
        assert render_template_string(page, day=dt.date(2026, 3, 5)) == "5. mars 2026"
