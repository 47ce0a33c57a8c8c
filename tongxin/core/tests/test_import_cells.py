"""Cells as the engine reads them back: text our exports protected from formulas, numbers that lost digits."""

from __future__ import annotations

import pytest

from tongxin.core.imports import Column, display_value, normalise_cell
from tongxin.core.xlsx import safe_text

TEXT = Column("note", "备注", "note")


@pytest.mark.parametrize("typed", ["=SUM(A1)", "+86 138", "-1", "@user"])
def test_text_an_export_protected_reads_back_as_typed(typed):
    assert normalise_cell(TEXT, safe_text(typed)) == typed


def test_an_ordinary_apostrophe_is_kept():
    assert normalise_cell(TEXT, "'t Hooft") == "'t Hooft"


def test_an_id_number_typed_as_a_number_shows_its_digits_not_an_exponent():
    assert display_value(530112200301150000.0) == "530112200301150000"


def test_an_id_number_typed_as_a_number_shows_15_significant_digits_as_excel_does():
    # The float nearest 530112200301158500 is ...158528: Excel shows ...159000, not the integer rounded.
    assert display_value(float("530112200301158500")) == "530112200301159000"
    assert display_value(float("530112200301158490")) == "530112200301158000"
