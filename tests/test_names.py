"""Object names: what is refused, what maps to valid storage names."""
import re
import unicodedata

import pytest

from omegaml_core.errors import InvalidNameError
from omegaml_core.names import (MAX_NAME_LENGTH, RESERVED_FOLDERS, internal_names, split_projection, storage_name,
                                validate_bucket, validate_name, validate_new_name)
from omegaml_core.testing import BAD_NAMES, GOOD_NAMES


@pytest.mark.parametrize("bad", BAD_NAMES + [None, 42, b"bytes"], ids=repr)
def test_bad_names_raise_value_errors(bad):
    with pytest.raises(ValueError):
        validate_new_name(bad)


@pytest.mark.parametrize("good", GOOD_NAMES, ids=lambda n: repr(n[:20]))
def test_good_names_pass_unchanged(good):
    assert validate_name(good) == validate_new_name(good) == good


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


# --- names being written: look-alikes, versions, internal folders ---------------------------------------
INVISIBLE = [
    ("prod/model\u200b", "U+200B ZERO WIDTH SPACE"),
    ("a\u200db", "U+200D ZERO WIDTH JOINER"),
    ("report\u202egpj.exe", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("\ufeffsales", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
    ("two\u2028lines", "U+2028 LINE SEPARATOR"),
    ("two\u2029paragraphs", "U+2029 PARAGRAPH SEPARATOR"),
    ("soft\u00adhyphen", "U+00AD SOFT HYPHEN"),
    ("left\u200eto-right mark", "U+200E LEFT-TO-RIGHT MARK"),
    ("isolate\u2066d", "U+2066 LEFT-TO-RIGHT ISOLATE"),
    ("nul\x00", "U+0000 <control>"),
    ("del\x7f", "U+007F <control>"),
    ("c1\x85control", "U+0085 <control>"),
    ("lone\ud800surrogate", "U+D800 <surrogate>"),
]


@pytest.mark.parametrize("name,described", INVISIBLE, ids=[d for _, d in INVISIBLE])
def test_names_with_invisible_or_bidirectional_characters_are_refused_naming_the_character(name, described):
    with pytest.raises(InvalidNameError, match=re.escape(described)):
        validate_new_name(name)


def test_names_are_normalized_to_nfc():
    nfd = unicodedata.normalize("NFD", "café")
    assert nfd != "café"
    assert validate_name(nfd) == validate_new_name(nfd) == "café"


@pytest.mark.parametrize("name", ["clf@1", "clf@latest", "clf@prod", "folder/clf@2", "me@example.com", "@"])
def test_at_in_the_last_part_of_a_new_name_is_refused_with_what_to_use_instead(name):
    with pytest.raises(InvalidNameError, match="reserved for versions .*use another character"):
        validate_new_name(name)


def test_at_in_a_folder_part_of_a_name_is_allowed():
    assert validate_new_name("me@example.com/sales") == "me@example.com/sales"


@pytest.mark.parametrize("name", [f"{folder}/x" for folder in RESERVED_FOLDERS] + [".versions/clf/v1"])
def test_internal_folders_are_refused_for_users(name):
    with pytest.raises(InvalidNameError, match="uses internally"):
        validate_new_name(name)


def test_the_kernel_writes_internal_folders_inside_internal_names():
    with internal_names():
        assert validate_new_name(".tmp/abc") == ".tmp/abc"
    with pytest.raises(InvalidNameError):
        validate_new_name(".tmp/abc")


def test_hidden_names_outside_internal_folders_stay_allowed():
    assert validate_new_name(".hidden/thing") == ".hidden/thing"
    assert validate_new_name("a/.versions/b") == "a/.versions/b"


def test_lookups_stay_lenient_so_objects_stored_under_older_rules_remain_reachable():
    for name in ("clf@1", ".versions/m/v1", "prod/model\u200b"):
        assert validate_name(name) == name


def test_a_bucket_name_with_a_trailing_newline_is_refused():
    with pytest.raises(InvalidNameError):
        validate_bucket("prod\n")
