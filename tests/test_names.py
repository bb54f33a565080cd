"""Object names: what is refused, what maps to valid storage names."""
import re

import pytest

from omegaml_core.errors import InvalidNameError
from omegaml_core.names import MAX_NAME_LENGTH, split_projection, storage_name, validate_bucket, validate_name
from omegaml_core.testing import BAD_NAMES, GOOD_NAMES


@pytest.mark.parametrize("bad", BAD_NAMES + [None, 42, b"bytes"], ids=repr)
def test_bad_names_raise_value_errors(bad):
    with pytest.raises(ValueError):
        validate_name(bad)


@pytest.mark.parametrize("good", GOOD_NAMES, ids=lambda n: repr(n[:20]))
def test_good_names_pass_unchanged(good):
    assert validate_name(good) == good


def test_the_length_limit_is_documented_and_exact():
    validate_name("x" * MAX_NAME_LENGTH)
    with pytest.raises(InvalidNameError, match=str(MAX_NAME_LENGTH)):
        validate_name("x" * (MAX_NAME_LENGTH + 1))


@pytest.mark.parametrize("name", GOOD_NAMES, ids=lambda n: repr(n[:20]))
def test_storage_names_are_short_ascii_identifiers_unique_per_write(name):
    first, second = storage_name("b", "data/", name), storage_name("b", "data/", name)
    for s in (first, second):
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,63}", s), s
    assert first != second


def test_projection_syntax_splits_name_and_columns():
    assert split_projection("sales[region, amount]") == ("sales", ["region", "amount"])
    assert split_projection("sales") == ("sales", None)
    with pytest.raises(InvalidNameError):
        split_projection("sales[]")


@pytest.mark.parametrize("bucket", ["", "a b", "../x", "x" * 65, "a.b", None])
def test_bad_bucket_names_are_refused(bucket):
    with pytest.raises(InvalidNameError):
        validate_bucket(bucket)
