"""Reading a municipality's standard CSV (自治体標準オープンデータセット): both header layouts,
UTF-8 (with or without BOM) and Shift_JIS, and row-level errors for malformed files."""

import pytest

from catalog.standard.csvfile import decode, read_rows
from catalog.standard.errors import ImportRejected
from catalog.standard.templates import template, templates

NEWER = (
    "全国地方公共団体コード,ID,地方公共団体名,名称,名称_カナ,住所,緯度,経度\r\n"
    "352012,1,下関市,下関市役所,シモノセキシヤクショ,山口県下関市南部町1-1,33.9575,130.9411\r\n"
)
OLDER = (
    "都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,名称,名称_カナ,住所,緯度,経度\n"
    "352012,1,山口県,下関市,下関市役所,シモノセキシヤクショ,山口県下関市南部町1-1,33.9575,130.9411\n"
)


def test_every_set_the_issue_names_has_a_template_with_columns() -> None:
    names = {t.name for t in templates()}
    assert {
        "公共施設一覧", "文化財一覧", "指定緊急避難場所一覧", "地域・年齢別人口", "子育て施設一覧",
        "オープンデータ一覧", "公衆無線LANアクセスポイント一覧", "AED設置箇所一覧",
        "介護サービス事業所一覧", "医療機関一覧", "観光施設一覧", "イベント一覧", "公衆トイレ一覧",
        "消防水利施設一覧",
    } <= names  # fmt: skip
    assert all(t.columns for t in templates())


@pytest.mark.parametrize("text", [NEWER, OLDER], ids=["newer layout", "older layout"])
@pytest.mark.parametrize(
    "encode",
    [
        lambda t: t.encode("utf-8"),
        lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"),
        lambda t: t.encode("cp932"),
    ],
    ids=["utf-8", "utf-8 with BOM", "shift_jis"],
)
def test_both_layouts_in_every_encoding_read_to_the_same_row(text, encode) -> None:  # type: ignore[no-untyped-def]
    decoded, _ = decode(encode(text))
    _, rows = read_rows(decoded, template("01"))
    assert len(rows) == 1
    row = rows[0]
    assert (row.code, row.identifier) == ("352012", "1")
    assert row.values["name"] == "下関市役所"
    assert row.location == (130.9411, 33.9575)


def test_the_detected_encoding_is_reported() -> None:
    assert decode(NEWER.encode("cp932"))[1] == "cp932"
    assert decode(b"\xef\xbb\xbf" + NEWER.encode())[1] == "utf-8-sig"


def test_a_header_of_neither_layout_is_rejected_on_row_1() -> None:
    with pytest.raises(ImportRejected) as caught:
        read_rows("名称,住所\nA,B\n", template("01"))
    assert caught.value.errors[0].row == 1


def test_a_missing_required_column_is_named() -> None:
    with pytest.raises(ImportRejected) as caught:
        read_rows("全国地方公共団体コード,ID,名称\n352012,1,A\n", template("01"))
    assert {(e.row, e.column) for e in caught.value.errors} == {(1, "名称_カナ"), (1, "住所")}


def test_bad_coordinates_are_reported_with_row_and_column() -> None:
    text = (
        NEWER
        + "352012,2,下関市,B,ビー,住所,95.0,130.9\r\n352012,3,下関市,C,シー,住所,北緯,130.9\r\n"
    )
    with pytest.raises(ImportRejected) as caught:
        read_rows(text, template("01"))
    assert [(e.row, e.column) for e in caught.value.errors] == [(3, "緯度"), (4, "緯度")]


def test_a_utf8_file_broken_part_way_is_rejected_at_its_row() -> None:
    data = NEWER.encode() + b"352012,2,\xe4\xb8,B,B,B,,\r\n"
    with pytest.raises(ImportRejected) as caught:
        decode(data)
    assert caught.value.errors[0].row == 3


def test_bytes_that_are_neither_utf8_nor_shift_jis_are_rejected() -> None:
    with pytest.raises(ImportRejected):
        decode(b"\x80\xff\xfe,\x81\n")


def test_the_problem_lists_the_row_errors() -> None:
    with pytest.raises(ImportRejected) as caught:
        read_rows("全国地方公共団体コード,ID,名称\n352012,1,A\n", template("01"))
    problem = caught.value.to_problem()
    assert problem["status"] == 400
    assert {"row": 1, "column": "住所", "reason": "a required column is missing"} in problem[
        "errors"
    ]
