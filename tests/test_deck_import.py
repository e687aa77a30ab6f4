"""`dlquiz import`: CSV, TSV and Anki plain-text notes become a valid YAML deck, edge case by edge case.

The input files are under tests/data/import/ (each file's first lines say what it exercises); expected values are
read off those files, and every written deck must load with dlquiz.cards.deck.load_deck.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dlquiz.cli.app import app
from dlquiz.cards.deck import ID_PATTERN, load_deck
from dlquiz.interop.deck_import import card_id, default_deck_id, html_to_text, import_deck

DATA = Path(__file__).parent / "data" / "import"
runner = CliRunner()


def run_import(source: Path, target: Path, *options: str):
    return runner.invoke(app, ["import", str(source), "-o", str(target), *options])


def imported(tmp_path: Path, name: str, *options: str):
    """Import tests/data/import/NAME through the CLI; return (deck, CLI output)."""
    target = tmp_path / "deck.yaml"
    result = run_import(DATA / name, target, *options)
    assert result.exit_code == 0, result.output
    return load_deck(target), result.output


def fields(deck, card_type: str = "basic") -> list[tuple]:
    return [(c.fields["front"], c.fields["back"]) for c in deck.cards if c.type == card_type]


def test_csv_with_header_quotes_commas_multiline_chinese_and_skipped_rows(tmp_path):
    deck, output = imported(tmp_path, "cards.csv")
    assert fields(deck) == [
        ("What is ReLU?", "max(0, x)"),
        ("Output size of a conv, given n, k, p, s?", "floor((n + 2p - k) / s) + 1"),
        ('What does "same" padding keep?', "The spatial size"),
        ("Two uses of 1x1 convolutions?", "Change the channel count\nAdd a non-linearity per pixel"),
        ("GAP 有多少可训练参数？", "0 个，GAP 没有参数"),
    ]
    assert [c.tags for c in deck.cards] == [("activation",), ("cnn", "padding"), ("padding",), ("cnn",), ("pooling",)]
    # Line 1 is the header; the multi-line field makes row 5 span lines 5-6, so the rows below keep their real lines.
    skipped = [line for line in output.splitlines() if line.endswith("skipped")]
    assert skipped == [
        "line 8: empty row, skipped",
        "line 9: empty row, skipped",
        "line 10: empty row, skipped",
        "line 11: same front as line 2, skipped",
        "line 12: no back, skipped",
    ]
    assert "5 card(s); 5 row(s) skipped" in output


def test_excel_csv_with_bom_and_crlf_and_no_header(tmp_path):
    raw = (DATA / "excel.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\r\n") == 4  # the file really is what Excel writes
    deck, output = imported(tmp_path, "excel.csv")
    assert fields(deck) == [
        ("ReLU 的定义？", "max(0, x)"),  # no BOM glued to the first front
        ("批归一化训练时用什么统计量？", "当前 batch 的\n均值和方差"),  # CRLF inside a quoted field becomes \n
        ("池化的作用？", "降采样，扩大感受野"),
    ]
    assert "0 row(s) skipped" in output


def test_semicolon_csv_is_sniffed(tmp_path):
    deck, _ = imported(tmp_path, "semicolon.csv")
    assert fields(deck) == [("Sigmoid range?", "(0; 1), an open interval"), ("Tanh range?", "(-1, 1)")]


def test_header_row_in_chinese_in_any_order_with_an_extra_column(tmp_path):
    source = tmp_path / "中文.csv"
    source.write_text(
        "标签,问题,答案,备注,来源\nrnn,什么是 RNN？,循环神经网络,按时间步展开,第 3 章\n", encoding="utf-8"
    )
    result = run_import(source, tmp_path / "zh.yaml")
    assert result.exit_code == 0, result.output
    [card] = load_deck(tmp_path / "zh.yaml").cards
    assert (card.fields["front"], card.fields["back"], card.fields["extra"], card.tags) == (
        "什么是 RNN？",
        "循环神经网络",
        "按时间步展开",
        ("rnn",),
    )
    assert "columns other than front, back, tags, extra were ignored" in result.output  # 来源 has no place
    assert load_deck(tmp_path / "zh.yaml").id == "zh"
    assert (default_deck_id(Path("My Deck.yaml")), default_deck_id(Path("中文.yaml"))) == ("my-deck", "imported")


def test_tsv_without_header_reads_tags_from_the_third_column(tmp_path):
    deck, _ = imported(tmp_path, "plain.tsv")
    assert fields(deck) == [("softmax sums to?", "1"), ("Dropout at test time?", "turned off")]
    assert [c.tags for c in deck.cards] == [("activation", "output"), ("regularization",)]


def test_txt_with_pipes_is_sniffed(tmp_path):
    deck, _ = imported(tmp_path, "pipes.txt")
    assert fields(deck) == [
        ("epoch", "one pass over the data"),
        ("batch", "a group of samples"),
        ("step", "one update"),
    ]


def test_anki_plain_text_notes_with_html_and_a_cloze(tmp_path):
    deck, output = imported(tmp_path, "anki_notes.txt")
    assert fields(deck) == [
        ("What is **ReLU**?", "max(0, x)\nzero for x < 0"),  # <b> → **, &nbsp; → space, <br> → line, &lt; → <
        ("A field with a\ttab?", "yes, quoted"),
    ]
    [cloze] = [c for c in deck.cards if c.type == "cloze"]
    assert cloze.fields["text"] == "BN uses {{c1::the batch}} statistics in {{c2::training}}"
    assert cloze.fields["extra"] == "Running stats in eval."  # Anki's Back Extra
    assert [item.key for item in cloze_items(deck)] == [f"{cloze.id}::c1", f"{cloze.id}::c2"]
    assert [c.tags for c in deck.cards] == [("activation", "dl::basics"), ("normalization",), ()]
    # Three '#' header lines come first: the fourth row is on line 7, a duplicate of line 4 once the HTML is gone.
    assert "line 7: same front as line 4, skipped" in output
    assert "3 card(s), 1 of them cloze; 1 row(s) skipped" in output


def cloze_items(deck):
    return [item for item in deck.items() if item.card.type == "cloze"]


def test_anki_export_with_guid_notetype_and_deck_columns(tmp_path):
    deck, output = imported(tmp_path, "anki_full.txt")
    assert fields(deck) == [("What is a kernel?", "A small weight tensor slid over the input")]
    [cloze] = [c for c in deck.cards if c.type == "cloze"]
    assert cloze.fields["text"] == "A stride of {{c1::2}} halves the size" and "extra" not in cloze.fields
    assert [c.tags for c in deck.cards] == [("cnn",), ("cnn",)]
    assert "ignored" not in output  # Anki's own columns are understood, not "ignored"


def test_ids_are_valid_unique_and_the_same_on_every_import(tmp_path):
    first = import_deck(DATA / "cards.csv", tmp_path / "one.yaml")
    second = import_deck(DATA / "cards.csv", tmp_path / "two.yaml")
    ids_one = [c.id for c in load_deck(first.target).cards]
    ids_two = [c.id for c in load_deck(second.target).cards]
    assert ids_one == ids_two and len(set(ids_one)) == len(ids_one) == first.cards == 5
    assert all(ID_PATTERN.match(card) for card in ids_one)
    assert ids_one[0] == card_id("What is ReLU?") and ids_one[0].startswith("what-is-relu-")
    # Only the front counts: a changed back keeps the id; width, case and spacing of the front do not matter.
    assert card_id("What is ReLU?") == card_id("what  is ＲｅＬＵ?") != card_id("What is GELU?")
    assert re.fullmatch(r"card-[0-9a-f]{8}", card_id("池化的作用？"))  # nothing ASCII to make a slug of
    assert card_id("BN uses {{c1::the batch}}").startswith("bn-uses-the-batch-")


def test_output_is_readable_yaml_and_round_trips(tmp_path):
    target = tmp_path / "my-deck.yaml"
    import_deck(DATA / "cards.csv", target, title="我的卡片")
    text = target.read_text(encoding="utf-8")
    assert "GAP 有多少可训练参数？" in text  # allow_unicode: no \u escapes
    assert "back: |-\n    Change the channel count\n    Add a non-linearity per pixel\n" in text
    deck = load_deck(target)
    assert (deck.id, deck.title) == ("my-deck", "我的卡片")


def test_refuses_to_overwrite_unless_forced(tmp_path):
    target = tmp_path / "deck.yaml"
    target.write_text("mine\n", encoding="utf-8")
    refused = run_import(DATA / "plain.tsv", target)
    assert refused.exit_code == 1 and "already exists" in refused.output and "--force" in refused.output
    assert target.read_text(encoding="utf-8") == "mine\n"
    forced = run_import(DATA / "plain.tsv", target, "--force")
    assert forced.exit_code == 0, forced.output
    assert len(load_deck(target).cards) == 2


def test_id_and_title_options(tmp_path):
    deck, _ = imported(tmp_path, "plain.tsv", "--id", "dl-basics", "--title", "DL basics")
    assert (deck.id, deck.title) == ("dl-basics", "DL basics")
    bad = run_import(DATA / "plain.tsv", tmp_path / "other.yaml", "--id", "Not Valid")
    assert bad.exit_code == 2 and "invalid deck id" in bad.output
    assert not (tmp_path / "other.yaml").exists()


@pytest.mark.parametrize(
    "name, content, target, code, words",
    [
        ("cards.xlsx", b"x", "deck.yaml", 2, "dlquiz reads .csv, .tsv and .txt"),
        ("missing.csv", None, "deck.yaml", 2, "no such file"),
        ("cards.csv", b"a,b\n", "deck.json", 2, "does not end in .yaml"),
        ("gbk.csv", "问题,答案\n".encode("gbk"), "deck.yaml", 1, "is not UTF-8 text"),
        ("blank.csv", b",,\n\nonly a front,\n", "deck.yaml", 1, "no cards found"),
        ("empty.csv", b"\xef\xbb\xbf\r\n", "deck.yaml", 1, "is empty"),
        ("huge.csv", b'a,"' + b"x" * 200_000 + b'"\n', "deck.yaml", 1, "field larger than field limit"),
        (
            "one-column.txt",
            b"no separator here\nnor here\n",
            "deck.yaml",
            1,
            "cannot tell how the columns are separated",
        ),
    ],
)
def test_errors_are_one_line_with_the_right_exit_code(tmp_path, name, content, target, code, words):
    source = tmp_path / name
    if content is not None:
        source.write_bytes(content)
    result = run_import(source, tmp_path / target)
    assert result.exit_code == code, result.output
    assert words in result.output and "Traceback" not in result.output
    assert not (tmp_path / target).exists()


def test_html_to_text():
    assert html_to_text("a<br/>b<div>c</div>&amp;&nbsp;<code>x</code>") == "a\nb\nc\n& `x`"
    assert html_to_text("<div>one</div><div><br></div><div>two</div>") == "one\n\ntwo"  # Anki's blank line
    assert html_to_text('<img src="x.png"><span style="color:red">red</span>') == "red"


def test_imported_deck_can_be_studied_by_name(tmp_path, isolated_home):
    decks = isolated_home / "decks"
    decks.mkdir(parents=True)
    shutil.copy(DATA / "pipes.txt", tmp_path / "pipes.txt")
    result = run_import(tmp_path / "pipes.txt", decks / "pipes.yaml")
    assert result.exit_code == 0, result.output
    listing = runner.invoke(app, ["decks"])
    assert re.search(r"pipes\s.*\b3\b.*\b3\b", listing.output), listing.output  # 3 cards, 3 new
