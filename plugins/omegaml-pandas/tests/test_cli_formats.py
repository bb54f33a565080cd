"""om datasets put/get with DataFrame file formats (registered by this plugin through omegaml.cli)."""
import io
import json

import pandas as pd
import pytest

SALES = pd.DataFrame({"region": ["EU", "US", "EU"], "amount": [1.5, 2.0, 3.0]})


@pytest.fixture
def files(tmp_path):
    SALES.to_csv(tmp_path / "sales.csv", index=False)
    SALES.to_parquet(tmp_path / "sales.parquet")
    SALES.to_json(tmp_path / "sales.json", orient="records")
    return tmp_path


@pytest.mark.parametrize("suffix", ["csv", "parquet", "json"])
def test_put_reads_a_dataframe_file_into_the_dataframe_kind(om_cli, files, suffix):
    result = om_cli("datasets", "put", str(files / f"sales.{suffix}"), "sales")
    assert result.returncode == 0, result.stderr
    om = om_cli.omega()
    assert om.datasets.metadata("sales").kind == "pandas.columnar"
    pd.testing.assert_frame_equal(om.datasets.get("sales"), SALES, check_index_type=False)


def test_as_file_keeps_the_csv_bytes(om_cli, files):
    assert om_cli("datasets", "put", str(files / "sales.csv"), "raw", "--as-file").returncode == 0
    assert om_cli.omega().datasets.metadata("raw").kind == "python.file"
    assert om_cli("datasets", "get", "raw").stdout == (files / "sales.csv").read_text()


def test_a_file_the_format_cannot_read_is_refused_suggesting_as_file(om_cli, tmp_path):
    bad = tmp_path / "broken.parquet"
    bad.write_bytes(b"not parquet at all")
    result = om_cli("datasets", "put", str(bad), "x")
    assert result.returncode == 1 and "cannot read" in result.stderr and "--as-file" in result.stderr
    assert om_cli.omega().datasets.list() == []


def test_get_format_csv_to_stdout_round_trips(om_cli):
    om_cli.omega().datasets.put(SALES, "sales")
    result = om_cli("datasets", "get", "sales", "--format", "csv")
    pd.testing.assert_frame_equal(pd.read_csv(io.StringIO(result.stdout)), SALES)


def test_get_format_from_the_output_suffix(om_cli, tmp_path):
    om_cli.omega().datasets.put(SALES, "sales")
    assert om_cli("datasets", "get", "sales", "-o", str(tmp_path / "out.parquet")).returncode == 0
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "out.parquet"), SALES, check_index_type=False)


def test_get_format_json_writes_records(om_cli):
    om_cli.omega().datasets.put(SALES, "sales")
    records = json.loads(om_cli("datasets", "get", "sales", "-f", "json").stdout)
    assert records == SALES.to_dict(orient="records")


def test_get_filters_rows_with_repeatable_filter_options(om_cli):
    om_cli.omega().datasets.put(SALES, "sales")
    result = om_cli("datasets", "get", "sales", "-f", "csv", "--filter", "amount__gt=1.7",
                    "--filter", "region=EU")
    assert result.returncode == 0, result.stderr
    assert pd.read_csv(io.StringIO(result.stdout)).to_dict(orient="records") == [{"region": "EU", "amount": 3.0}]


def test_a_filter_on_an_unknown_column_names_the_option_and_the_columns(om_cli):
    om_cli.omega().datasets.put(SALES, "sales")
    result = om_cli("datasets", "get", "sales", "--filter", "amout__gt=1")
    assert result.returncode == 1 and "--filter" in result.stderr and "'amout__gt'" in result.stderr
    assert "['region', 'amount']" in result.stderr


def test_the_formats_are_listed_with_the_plugins_commands(om_cli):
    result = om_cli("plugins", "--json")
    pandas = [d for d in json.loads(result.stdout) if d["distribution"] == "omegaml-pandas"][0]
    assert pandas["commands"] == ["pandas"]


def test_put_reads_an_excel_sheet(om_cli, tmp_path):
    pytest.importorskip("openpyxl")
    SALES.to_excel(tmp_path / "sales.xlsx", index=False)
    assert om_cli("datasets", "put", str(tmp_path / "sales.xlsx"), "sales").returncode == 0
    pd.testing.assert_frame_equal(om_cli.omega().datasets.get("sales"), SALES, check_index_type=False)
