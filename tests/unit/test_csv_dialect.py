"""A CSV file is sniffed once and then read with the sniffed dialect and columns, the sniffer off: the
reading must be the one a sniffing read gives, whatever the file's dialect."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from llm_tco.ingest.files import probe_file
from llm_tco.ingest.readers import csv_reader, table_reader

DIALECTS = {
    # quoted fields with a doubled quote, a delimiter and a line break inside quotes
    "quoted": 'id,text,n\n1,"say ""hi"", then, go",2\n2,"two\nlines",3\n3,,4\n',
    # another delimiter, and no quote in the whole file
    "semicolon_unquoted": "id;text;n\n1;plain;2\n2;more text;3\n",
    "tab": "id\ttext\tn\n1\ta b\t2\n2\t\t3\n",
    "crlf": 'id,text,n\r\n1,"x",2\r\n2,y,3\r\n',
    # a backslash escape instead of a doubled quote
    "backslash_escape": 'id,text,n\n1,"a \\"quoted\\" word",2\n2,"b",3\n',
    # a header naming a column twice, one with a quote and one with non-ASCII letters in its name
    "awkward_header": 'id,"we""ird",id,données\n1,a,b,é\n2,c,d,ü\n',
    "header_only": "id,text,n\n",
    "no_final_newline": "id,text,n\n1,a,2\n2,b,3",
}


def _plain_read(con: duckdb.DuckDBPyConnection, path: Path, delimiter: str) -> list[tuple[object, ...]]:
    """The rows of a read that sniffs the file, as DuckDB reads it by itself."""
    return con.execute(
        "SELECT * FROM read_csv(?, all_varchar = true, header = true, null_padding = false, delim = ?)",
        [str(path), delimiter],
    ).fetchall()


@pytest.mark.parametrize("name", sorted(DIALECTS))
@pytest.mark.parametrize("checked", [False, True])
def test_the_sniffed_reading_is_the_sniffing_one(tmp_path: Path, name: str, checked: bool) -> None:
    path = tmp_path / f"{name}.csv"
    path.write_bytes(DIALECTS[name].encode())
    probe = probe_file(path)
    con = duckdb.connect()
    reader = csv_reader(con, probe, stream=True, checked=checked)
    result = con.execute(f"SELECT * EXCLUDE (record_no, _reject_reason) FROM {reader.table}", reader.params)
    names, rows = [d[0] for d in result.description or []], result.fetchall()
    expected = con.execute(
        "DESCRIBE SELECT * FROM read_csv(?, all_varchar = true, header = true, delim = ?)",
        [str(path), probe.delimiter],
    ).fetchall()
    assert names == [r[0] for r in expected]
    assert rows == _plain_read(con, path, probe.delimiter)


def test_the_reader_binds_without_sniffing_again(tmp_path: Path) -> None:
    """The staged query is bound several times before its one full read; each bind of a sniffing reader
    sniffs the file again. The reader's options turn the sniffer off: a file whose header changes after
    the sniff is still read with the columns first made out (a sniffing read would rename them)."""
    path = tmp_path / "x.csv"
    path.write_text("id,text\n1,a\n")
    con = duckdb.connect()
    reader, columns = table_reader(con, probe_file(path), csv_checked=False)
    assert columns == ["id", "text"]
    path.write_text("other,names\n2,b\n")
    result = con.execute(f"SELECT * EXCLUDE (record_no, _reject_reason) FROM {reader.table}", reader.params)
    assert [d[0] for d in result.description or []] == ["id", "text"]
    assert result.fetchall() == [("2", "b")]
