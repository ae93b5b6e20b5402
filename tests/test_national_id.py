import datetime as dt

import pytest

from stafettlogg.logs.national_id import birth_date_from, national_id_problem, with_control_digits


def test_valid_numbers(app):
    with app.test_request_context():
        for nine, born in [
            ("010115500", dt.date(2015, 1, 1)),
            ("150612345", dt.date(1912, 6, 15)),
            ("140316500", dt.date(2016, 3, 14)),
        ]:
            number = with_control_digits(nine)
            assert number is not None
            assert national_id_problem(number) is None
            assert national_id_problem(number, born) is None
            assert birth_date_from(number) == born


def test_d_number_accepted(app):
    with app.test_request_context():
        d = with_control_digits("410190123")  # day 01 + 40
        assert national_id_problem(d) is None
        assert birth_date_from(d) == dt.date(1990, 1, 1)


@pytest.mark.parametrize("position", [9, 10])
def test_each_wrong_control_digit(app, position):
    with app.test_request_context():
        good = with_control_digits("010115500")
        for wrong in "0123456789":
            if wrong == good[position]:
                continue
            bad = good[:position] + wrong + good[position + 1 :]
            message = national_id_problem(bad)
            assert message is not None
            assert ("første kontrollsifferet" in message) if position == 9 else ("kontrollsiffer" in message)


@pytest.mark.parametrize("value", ["123", "0101155007a", "010115500761", ""])
def test_wrong_length(app, value):
    with app.test_request_context():
        assert national_id_problem(value) == "Fødselsnummeret må ha 11 sifre."


def test_mismatch_with_birth_date(app):
    with app.test_request_context():
        number = with_control_digits("010115500")
        assert "passer ikke med fødselsdatoen" in national_id_problem(number, dt.date(2015, 1, 2))
