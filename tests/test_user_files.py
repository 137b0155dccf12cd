"""The shared upload reader: numbers read as meant, workbooks read as their writers stored them, limits kept."""

import datetime as dt
import io

import openpyxl
import pytest

from geo.errors import InputDataError
from layers.cell_values import AmbiguousNumber, decimal_mark, parse_number
from layers.clients import SYNONYMS
from layers.user_files import (
    CLIENT_LIST,
    TableLimits,
    quote,
)
from layers.user_tables import read_table
from tests import hostile_files
from ui.widgets import plain

RELATIONSHIPS = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship '
                 'Id="rId1" Type="x/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId9" '
                 'Type="x/sharedStrings" Target="/xl/sharedStrings.xml"/></Relationships>')
"""The sheet and a shared-strings part (an absolute target, as some writers give)."""


@pytest.mark.parametrize("text, decimal, expected", [
    ("7,5", ".", 7.5), ("7,5", ",", 7.5), ("0,25", ",", 0.25), ("0,250", ",", 0.25), ("1234,567", ",", 1234.567),
    ("1,234", ".", 1234.0), ("1.234", ".", 1.234), ("12,345,678", ".", 12_345_678.0), ("12.345.678", ",", 12_345_678.0),
    ("1,234.5", ".", 1234.5), ("1,234.5", ",", 1234.5), ("1.234,5", ".", 1234.5), ("1 234,5", ",", 1234.5),
    ("1\u00a0234", ".", 1234.0), ("-4", ".", -4.0), ("\u22124", ".", -4.0), ("\u22124", ",", -4.0), ("+2", ".", 2.0),
    ("1e3", ".", 1000.0), (".5", ".", 0.5), ("", ".", None), ("ten", ".", None), ("nan", ".", None), ("inf", ".", None),
    ("1_000", ".", None), ("1,2,3", ".", None), ("1.23.4", ".", None), ("12,34.5", ".", None), ("1.234.5,6", ",", None),
])
def test_numbers_with_separators(text, decimal, expected):
    assert parse_number(text, decimal=decimal) == expected


@pytest.mark.parametrize("text, decimal", [("1,234", ","), ("1.234", ","), ("1,234", "mixed"), ("1.250", "mixed")])
def test_numbers_that_read_two_ways_are_refused(text, decimal):
    with pytest.raises(AmbiguousNumber, match=f"'{text}' could mean 1.2.. or 12..: this file writes decimals"):
        parse_number(text, decimal=decimal)


def test_degrees_are_never_grouped():
    assert parse_number("52,056", decimal=",", degrees=True) == 52.056
    assert parse_number("-2,716", decimal=".", degrees=True) == -2.716
    assert parse_number("52,056,1", degrees=True) is None


@pytest.mark.parametrize("values, default, expected", [
    (["7,5", "10"], ".", ","), (["7.5", "1,234"], ",", "."), (["1,234", "10"], ".", "."), (["1,234"], ",", ","),
    (["7,5", "7.25"], ".", "mixed"), (["1.234,5"], ".", ","), (["1,234.5"], ",", "."), ([], ",", ","),
])
def test_a_files_decimal_mark_is_found_from_its_unambiguous_numbers(values, default, expected):
    assert decimal_mark(values, default=default) == expected


def test_plain_escapes_every_markdown_and_html_sign():
    assert plain("![x](http://a.b/c.png)") == "\\!\\[x\\]\\(http\u200b\\:\\/\\/a\\.b\\/c\\.png\\)"
    assert plain("<b>&amp;</b> **x** :red[y] $z$ `q` ~s~ #h | 1. e.g.") == (
        r"\<b\>\&amp\;\<\/b\> \*\*x\*\* \:red\[y\] \$z\$ \`q\` \~s\~ \#h \| 1\. e\.g\.")
    assert plain("Zoë Brontë, HR1 2JB") == r"Zoë Brontë\, HR1 2JB"
    assert plain("a\u202eb\x00c\x1b[31m") == r"a\\u202eb\\u0000c\\u001b\[31m"


def test_plain_breaks_the_links_markdown_would_make_by_itself():
    """GitHub-flavoured Markdown links bare addresses after escapes are resolved: a zero-width space stops it."""
    assert plain("see www.a.co, HTTPS://b.c or ftp://d") == (
        "see www\u200b\\.a\\.co\\, HTTPS\u200b\\:\\/\\/b\\.c or ftp\u200b\\:\\/\\/d")
    assert plain("write to a.b@c.de") == "write to a\\.b\u200b\\@c\\.de"


def test_quote_shortens_and_shows_control_characters():
    assert quote("HR1 2JB") == "'HR1 2JB'"
    assert quote("a\x1b[2Jb") == "'a\\x1b[2Jb'"
    assert quote("x" * 100) == "'" + "x" * 29 + "…" + "x" * 29 + " (100 characters)'"


def test_a_workbook_from_openpyxl_is_read_as_stored():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["client_id", "postcode", "hours_per_week", "windows", "name"])
    sheet.append([1234567890123, "HR4 9AB", 7.5, "morning;tea", "Zoë"])
    sheet.append(["A2", "HR2 0RG", 2.7000000000000002, True, dt.datetime(2024, 3, 1)])
    sheet.append(["A3", None, "=1+1", None, "#N/A"])
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_table(buffer.getvalue(), "clients.xlsx", limits=CLIENT_LIST, columns=SYNONYMS)
    assert table.frame.to_dict("index") == {
        2: {"client_id": "1234567890123", "postcode": "HR4 9AB", "hours_per_week": "7.5", "windows": "morning;tea",
            "name": "Zoë"},
        3: {"client_id": "A2", "postcode": "HR2 0RG", "hours_per_week": "2.7", "windows": "TRUE", "name": "45352"},
        4: {"client_id": "A3", "postcode": "", "hours_per_week": "", "windows": "", "name": "#N/A"},  # no cached value
    }
    assert table.notes == [] and table.decimal == "."


def test_shared_strings_rich_text_and_phonetic_guides():
    main = hostile_files.MAIN
    buffer = io.BytesIO()
    strings = (f'<sst xmlns="{main}"><si><t>client_id</t></si><si><t>name</t></si>'
               f'<si><r><t>Zo</t></r><r><t>ë</t></r><rPh><t>ゾエ</t></rPh></si></sst>')
    hostile_files.write_xlsx(buffer, [("S", ['<row><c t="s"><v>0</v></c><c t="s"><v>1</v></c></row>',
                                            '<row><c t="s"><v>2</v></c><c t="b"><v>1</v></c></row>'], "visible")],
                             parts={"xl/sharedStrings.xml": strings, "xl/_rels/workbook.xml.rels": RELATIONSHIPS})
    table = read_table(buffer.getvalue(), "names.xlsx", limits=CLIENT_LIST, columns=SYNONYMS)
    assert table.frame.to_dict("index") == {2: {"client_id": "Zoë", "name": "TRUE"}}


def _limits(**changes) -> TableLimits:
    return TableLimits("client list", **({"max_bytes": 2**20, "max_rows": 50, "max_columns": 5} | changes))


@pytest.mark.parametrize("sheet, message", [
    (['<row><c t="s"><v>7</v></c></row>'], "a cell refers to a shared text that is not in the file"),
    (['<row r="5"/>', '<row r="3"/>'], "its row numbers are out of order"),
    (['<row r="2000000"/>'], "it has rows beyond row 1,048,576, a spreadsheet's last"),
    (["<row>" + "<c/>" * 5_001 + "</row>"], "it holds more than 5,000 cells"),
    (['<row><c r="G1"><v>1</v></c></row>'], "it has data beyond its first 5 columns"),
    (['<row><c r="B1"><v>1</v></c><c r="A1"><v>2</v></c></row>'], "its cells are out of order"),
])
def test_broken_or_oversized_sheets_are_refused(sheet, message):
    buffer = io.BytesIO()
    hostile_files.write_xlsx(buffer, [("S", sheet, "visible")])
    with pytest.raises(InputDataError, match=message):
        read_table(buffer.getvalue(), "x.xlsx", limits=_limits(), columns=SYNONYMS)


def test_a_document_type_declaration_is_refused_before_any_entity_expands():
    laughs = ('<!DOCTYPE worksheet [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
              '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>')
    buffer = io.BytesIO()
    hostile_files.write_xlsx(buffer, [("S", ['<row><c t="inlineStr"><is><t>&c;</t></is></c></row>'], "visible")],
                             head=laughs)
    with pytest.raises(InputDataError, match="declares a document type \\(DTD\\), which no spreadsheet program writes"):
        read_table(buffer.getvalue(), "laughs.xlsx", limits=CLIENT_LIST, columns=SYNONYMS)


def test_a_workbook_without_a_visible_sheet_is_refused():
    content = hostile_files.xlsx_bytes([("Only", [["client_id"]], "hidden")])
    with pytest.raises(InputDataError, match="cannot be read as a workbook \\(it has no visible sheet\\)"):
        read_table(content, "x.xlsx", limits=CLIENT_LIST, columns=SYNONYMS)


def test_the_part_and_string_limits():
    sheet = hostile_files.xlsx_bytes([("S", [["client_id"]] + [["the same id"]] * 5_000, "visible")])
    assert len(sheet) < 4_000
    with pytest.raises(InputDataError, match="its part 'xl/worksheets/sheet1.xml' unpacks to 0.3 MB, more than the "
                                             "0.1 MB read"):
        read_table(sheet, "x.xlsx", limits=_limits(max_bytes=4_000), columns=SYNONYMS)
    strings = io.BytesIO()
    hostile_files.write_xlsx(strings, [("S", ['<row><c t="s"><v>0</v></c></row>'], "visible")], parts={
        "xl/sharedStrings.xml": f'<sst xmlns="{hostile_files.MAIN}">' + "<si><t>x</t></si>" * 1_001 + "</sst>",
        "xl/_rels/workbook.xml.rels": RELATIONSHIPS})
    with pytest.raises(InputDataError, match="it holds more than 1,000 different texts"):
        read_table(strings.getvalue(), "x.xlsx", limits=_limits(), columns=SYNONYMS)


def test_csv_limits_on_lines_and_columns():
    with pytest.raises(InputDataError, match="is too big to read: row 2 has 6 columns"):
        read_table(b"client_id,postcode\n1,2,3,4,5,6\n", "wide.csv", limits=_limits(), columns=SYNONYMS)
    with pytest.raises(InputDataError, match="has more than 50 rows of data; the limit for a client list is 50"):
        read_table(b"client_id,postcode\n" + b"A,B\n" * 51, "long.csv", limits=_limits(), columns=SYNONYMS)
    assert len(read_table(b"client_id,postcode\n" + b"A,B\n" * 50, "long.csv", limits=_limits(), columns=SYNONYMS).frame) == 50


def test_an_unclosed_quote_names_its_row():
    with pytest.raises(InputDataError, match="not a well-formed CSV file \\(row 3: a quote opened in this row is never "
                                             "closed\\)"):
        read_table(b'client_id,postcode\nA1,HR4 9AB\n"A2,HR2 0RG\nA3,HR1 2AA\n', "q.csv", limits=CLIENT_LIST,
                   columns=SYNONYMS)


def test_the_header_is_the_row_naming_most_columns():
    table = read_table(b"Report;;\nclient list;printed 2024;\n\nclient_id;postcode;notes\nA1;HR4 9AB;x\n", "t.csv",
                       limits=CLIENT_LIST, columns=SYNONYMS)
    assert table.headers == ["client_id", "postcode", "notes"] and list(table.frame.columns) == ["client_id", "postcode"]
    assert table.frame.index.tolist() == [5] and table.decimal == ","
    assert table.notes[-1] == "Row(s) 1–2 above the header (row 4) were read as titles and skipped."


def test_a_formatted_cell_survives_pickling_and_copying():
    """Cells shown as times or percentages travel through caches and session state whole."""
    import copy
    import pickle

    from layers.workbooks import FormattedNumber, number_format_kind

    cell = FormattedNumber("0.25", "percent", "25%")
    for twin in (pickle.loads(pickle.dumps(cell)), copy.deepcopy(cell)):
        assert (twin, twin.kind, twin.shown, twin.stored) == ("0.25", "percent", "25%", "0.25")
    assert [number_format_kind(code) for code in ("General", "0.00", "0%", "[h]:mm", "h:mm", "d/m/yyyy", "mmm-yy",
                                                  '0 "days"', "0.00E+00", "[Red]#,##0;[Blue]-#,##0", "mm:ss")] == \
        [None, None, "percent", "duration", "time", "date", "date", None, None, None, "time"]
