"""Text: one text in Chinese and English, and picking the language to show."""

import pytest

from dlquiz.text import Text, pick

BOTH = {"zh": "激活函数", "en": "activation function"}


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("ReLU", Text("ReLU", "ReLU")),  # a plain string is the same in every language
        (0, Text("0", "0")),  # YAML's `answer: 0`
        (BOTH, Text("激活函数", "activation function")),
        ({"en": "only English"}, Text("", "only English")),
        ({"zh": 3, "en": ""}, Text("3", "")),
        (None, Text()),
        (Text("甲", "a"), Text("甲", "a")),
    ],
)
def test_of_every_form_a_field_takes(raw, expected):
    assert Text.of(raw) == expected


@pytest.mark.parametrize(
    "raw, lang, expected",
    [
        (BOTH, "zh", "激活函数"),
        (BOTH, "en", "activation function"),
        (BOTH, "both", "激活函数 / activation function"),
        ({"en": "only English"}, "zh", "only English"),  # falls back to the language there is
        ({"zh": "只有中文"}, "en", "只有中文"),
        ({"zh": "max(0, x)", "en": "max(0, x)"}, "both", "max(0, x)"),  # the same text is shown once
        ("plain", "both", "plain"),
        (None, "both", ""),
    ],
)
def test_pick(raw, lang, expected):
    assert Text.of(raw).pick(lang, separator=" / ") == expected
    assert pick(raw, lang, separator=" / ") == expected  # the helper for raw mappings is the same rule


def test_default_separator_is_a_paragraph():
    assert Text.of(BOTH).pick("both") == "激活函数\n\nactivation function"


def test_map_changes_every_version_and_keeps_missing_ones_missing():
    assert Text.of(BOTH).map(str.upper) == Text("激活函数", "ACTIVATION FUNCTION")
    only_english = Text.of({"en": "x"}).map(lambda version: f"<b>{version}</b>")
    assert only_english == Text("", "<b>x</b>") and only_english.pick("zh") == "<b>x</b>"


def test_versions_and_truth():
    assert Text.of(BOTH).versions() == ["激活函数", "activation function"]
    assert Text.of("same").versions() == ["same"]
    assert not Text.of(None) and Text.of("x")
