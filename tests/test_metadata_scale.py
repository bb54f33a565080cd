"""Metadata lookups use the index on bucket+prefix+name, and list() pushes a glob's literal prefix down."""
import pytest

from omegaml_core.engines import embedded

INDEX = "idx_omega_metadata_bucket_prefix_name"


def plan(om, sql, params):
    rows = om.engine.conn.db.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
    return " | ".join(str(row[-1]) for row in rows)


def test_a_lookup_by_name_uses_the_index(om):
    om.datasets.put([1], "x")
    assert f"USING INDEX {INDEX}" in plan(om, embedded._META_GET_SQL, ("omega", "data/", "x"))


def test_a_listing_by_prefix_uses_the_index_and_needs_no_sort(om):
    om.datasets.put([1], "x")
    found = plan(om, embedded._META_LIST_SQL, ("omega", "data/", "sa", "sa\U0010ffff"))
    assert f"USING INDEX {INDEX}" in found and "TEMP B-TREE" not in found


@pytest.mark.parametrize("pattern, expected", [
    ("sales*", ["sales", "sales/eu", "sales_2024"]),
    ("sales/*", ["sales/eu"]),
    ("s?les*", ["sales", "sales/eu", "sales_2024", "soles"]),
    ("*2024", ["sales_2024"]),
    ("[st]*", ["sales", "sales/eu", "sales_2024", "soles", "t€st"]),
    ("t€*", ["t€st"]),
    ("sales", ["sales"]),
    (None, ["other", "sales", "sales/eu", "sales_2024", "soles", "t€st"]),
])
def test_list_with_a_glob_finds_exactly_the_matching_names(omega, pattern, expected):
    for name in ["sales", "sales/eu", "sales_2024", "soles", "t€st", "other", ".hidden", "folder/.hidden"]:
        omega.datasets.put([1], name)
    omega["elsewhere"].datasets.put([1], "sales_x")
    omega.models.put({"m": 1}, "sales_model")
    assert omega.datasets.list(pattern) == expected


def test_listing_names_walks_the_index_in_order(om):
    om.datasets.put([1], "x")
    found = plan(om, embedded._META_NAMES_SQL, ("omega", "data/", "", "\U0010ffff"))
    assert f"USING INDEX {INDEX}" in found and "TEMP B-TREE" not in found


def test_raw_listing_gives_metadata_sorted_by_name(omega):
    for name in ["b", "a", "c"]:
        omega.datasets.put([1], name)
    assert [m.name for m in omega.datasets.list(raw=True)] == ["a", "b", "c"]
