"""The product CSV import fed generated files: a report or a refusal, never a crash."""

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.catalog.csv_import import import_products, preview_import
from store.catalog.product_csv import COLUMNS
from store.errors import StoreError
from tests.factories import make_product
from tests.test_csrf_walk import database_rows

FUZZ = settings(max_examples=30, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

cell = st.one_of(st.text(max_size=40), st.sampled_from(
    ["", "MUG-1", "Blue Mug", "size=M", "size=M; colour=Navy", "books", "12.50", "-1", "1e9",
     "NaN", "99999999999999999999", "0", "yes", "no", "=HYPERLINK(1)", "\x00", "\r\n"]))
header = st.one_of(st.just(list(COLUMNS)), st.permutations(list(COLUMNS)),
                   st.lists(st.sampled_from([*COLUMNS, "", "extra"]), max_size=10))


@st.composite
def csv_files(draw) -> bytes:
    """A CSV with a (mostly) plausible header and generated cells, in some encoding."""
    columns = draw(header)
    rows = draw(st.lists(st.lists(cell, min_size=len(columns), max_size=len(columns) + 1),
                         max_size=6))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows(rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]))
    return buffer.getvalue().encode(encoding, errors="replace")


files = st.one_of(csv_files(), st.binary(max_size=300))


@pytest.fixture
def product(app):
    """A product already in the shop, for rows that update it."""
    return make_product(name="Blue Mug")


@FUZZ
@given(data=files)
def test_preview_of_any_file_changes_nothing(product, data):
    """Previewing any uploaded file shows a report or a message and changes nothing."""
    before = database_rows()
    try:
        preview_import(data)
    except StoreError:
        pass
    assert database_rows() == before


@FUZZ
@given(data=files)
def test_import_of_any_file_applies_whole_or_changes_nothing(product, data):
    """Importing any file applies it whole, or refuses it with a message and changes nothing."""
    before = database_rows()
    try:
        report = import_products(data)
    except StoreError as exc:
        assert exc.message
        assert database_rows() == before
    else:
        assert report.applied
