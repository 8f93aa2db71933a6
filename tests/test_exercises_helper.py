"""The check-cell helper: it must report wrong answers, not only right ones."""

import numpy as np
import pytest
import sympy as sp

from backprop import compare


def test_agreeing_values_pass_and_print_both(capsys):
    assert compare("dL/dw", 0.1234567890123, 0.1234567890123) is True
    assert capsys.readouterr().out == "dL/dw: true 0.1234567890 | yours 0.1234567890 | ok\n"


def test_wrong_value_fails_and_says_so(capsys):
    assert compare("dL/dw", 0.2, 0.1) is False
    assert capsys.readouterr().out == "dL/dw: true 0.1000000000 | yours 0.2000000000 | WRONG\n"


def test_tiny_values_are_printed_with_their_digits(capsys):
    compare("err", 4.924e-10, 4.924e-10)
    assert capsys.readouterr().out == "err: true 4.924000000e-10 | yours 4.924000000e-10 | ok\n"


def test_tolerance_is_relative():
    assert compare("a", 1e6 + 1e-3, 1e6)
    assert not compare("a", 1.0 + 1e-5, 1.0)


@pytest.mark.parametrize("answer", [None, "0.1", float("nan"), sp.Symbol("w") + 1, [0.1, 0.2]])
def test_answers_that_are_not_a_matching_number_fail(answer, capsys):
    assert compare("dL/dw", answer, 0.1) is False
    assert "WRONG" in capsys.readouterr().out


def test_sympy_numbers_and_arrays_are_accepted():
    assert compare("x", sp.Rational(1, 4), 0.25)
    assert compare("v", np.array([1.0, 2.0]), [1.0, 2.0])


def test_name_must_be_a_string():
    with pytest.raises(TypeError, match="name must be a str"):
        compare(3, 1.0, 1.0)


def test_integer_typed_values_print_as_integers_and_floats_never_do(capsys):
    # A float prints the same whether it is exactly whole or one rounding step away from it, so a
    # check cell's output does not depend on the last bit of the arithmetic.
    assert compare("count", 919, 919.0)
    assert compare("shape", np.array([784, 128]), [784, 128])
    assert not compare("count", 3.03, 3)
    assert compare("one", 0.9999999999999999, 1.0) and compare("one", 1.0, 1.0)
    assert capsys.readouterr().out == ("count: true 919.0000000 | yours 919 | ok\n"
                                       "shape: true [784, 128] | yours [784, 128] | ok\n"
                                       "count: true 3 | yours 3.030000000 | WRONG\n"
                                       "one: true 1.000000000 | yours 1.000000000 | ok\n"
                                       "one: true 1.000000000 | yours 1.000000000 | ok\n")


def test_large_values_print_ten_significant_digits_not_their_round_off(capsys):
    compare("big", 23170.4750059208, 23170.4750059209)
    assert capsys.readouterr().out == "big: true 23170.47501 | yours 23170.47501 | ok\n"


def test_arrays_print_in_aligned_columns_of_ten_significant_digits(capsys):
    values = np.array([[0.5, -0.25], [1.051995548, 0.01350596027]])
    compare("a", values, values)
    shown = capsys.readouterr().out.split(" | ")[0].removeprefix("a: true ")
    assert shown == "[[ 0.5000000000 -0.2500000000]\n [  1.051995548 0.01350596027]]"
