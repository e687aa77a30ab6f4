"""The built-in deck as a learner meets it: it loads and matches the schema, covers every note of DLNotes, is
bilingual and concise, renders right in Chinese and English, and no review item shows its answer with its question.

Whether what the cards say is *true* is tested against PyTorch in ``test_dl_notes_facts.py``.
"""

from __future__ import annotations

import io
import json
import random
import re
import unicodedata
from pathlib import Path

import jsonschema
import pytest
import yaml
from rich.console import Console
from rich.markdown import Markdown

from dlquiz import paths
from dlquiz.cards.answer_forms import parse_number, parse_shape
from dlquiz.cards.challenge import CODE, Challenge
from dlquiz.cards.types import make_challenge, registered
from dlquiz.cards.deck import ReviewItem, load_deck
from dlquiz.cards.schema import deck_schema

REPO = Path(__file__).resolve().parents[1]
DECK_PATH = REPO / "decks" / "dl-notes.yaml"
DECK = yaml.safe_load(DECK_PATH.read_text(encoding="utf-8"))
CARDS = DECK["cards"]
BY_ID = {card["id"]: card for card in CARDS}
ITEMS = load_deck(DECK_PATH).items()
SEED_CANDIDATES = (  # the seed lives beside the checkout: /work/shared next to /work/main or /work/wt/NAME
    REPO.parent / "shared" / "seeds" / "DLNotes.txt",
    REPO.parents[1] / "shared" / "seeds" / "DLNotes.txt",
)

TYPES = {"basic", "cloze", "choice", "typed", "numeric", "code"}
COMMON_KEYS = {"id", "type", "tags", "source", "exercise", "extra"}
TYPE_KEYS = {
    "basic": ({"front", "back"}, {"reverse"}),
    "cloze": ({"text"}, set()),
    "choice": ({"question", "options"}, set()),
    "typed": ({"question", "answer"}, {"accept", "match", "tolerance"}),
    "numeric": ({"question", "params", "answer"}, {"where", "tolerance"}),
    "code": ({"question", "code", "answer", "exercise"}, set()),
}
TAGS = {
    "activation",
    "cnn",
    "normalization",
    "batchnorm",
    "pooling",
    "padding",
    "transfer-learning",
    "rnn",
    "attention",
    "training",
    "regularization",
    "embedding",
    "time-series",
    "visualization",
}
# The exercises that exist, and the ones the next issues add (the loader does not check that an exercise exists).
EXERCISES = {
    "relu",
    "padding",
    "batchnorm",
    "gap",
    "attention",
    "sigmoid",
    "maxout",
    "dropout",
    "conv2d",
    "pooling",
    "bn_backward",
    "cam",
    "embedding",
    "rnn",
    "autoregressive",
    "transfer",
}
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")
CLOZE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}")
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")

# Seed lines that are pure headings: they state nothing by themselves, and the notes under them are cards.
HEADING_LINES = {
    "DLNotes",  # the document's title
    "- Normalization",  # heading of normalization-why, iid-benefit, whitening
    # Appears twice under "Attention": first before "参数少 速度快 效果好" (attention-advantages), then as an
    # empty heading before "Multi-headed Self-attention" (multihead-self-attention).
    "- 优点",
    "迁移学习",  # heading of the transfer-learning section; the definition is the line below it
}
FOOTER_PREFIX = "本博客所有文章除特别声明外"  # the blog's licence footer, deliberately not a card


def seed_text() -> str:
    for candidate in SEED_CANDIDATES:
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    pytest.skip("DLNotes.txt seed is not present (the deck ships without it)")


def plain(data):
    """LineDict/LineList → plain JSON types, as jsonschema expects."""
    return json.loads(json.dumps(data))


def text_fields(card: dict) -> list[tuple[str, object]]:
    """Every user-facing text of a card, as (where, value)."""
    fields = [(key, card[key]) for key in ("front", "back", "text", "question", "extra") if key in card]
    for index, option in enumerate(card.get("options", [])):
        fields.append((f"options[{index}].text", option.get("text")))
    return fields


# ---------------------------------------------------------------------------------------------- loading and format


def test_there_is_one_builtin_deck_and_it_is_this_one():
    assert sorted(p.name for p in paths.builtin_decks_dir().glob("*.yaml")) == ["dl-notes.yaml"]
    assert (paths.builtin_decks_dir() / "dl-notes.yaml").resolve() == DECK_PATH.resolve()


def test_builtin_deck_loads_and_matches_the_schema():
    deck = load_deck(DECK_PATH)
    assert [card.id for card in deck.cards] == [card["id"] for card in CARDS]
    jsonschema.validate(plain(DECK), deck_schema())


def test_c_loader_reads_the_same_deck():
    assert yaml.__with_libyaml__, "PyYAML without libyaml: cannot check CSafeLoader"
    assert yaml.load(DECK_PATH.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) == DECK


def test_deck_header():
    assert (DECK["format"], DECK["id"]) == (1, "dl-notes")
    for key in ("title", "description"):
        assert DECK[key]["zh"].strip() and DECK[key]["en"].strip()
    assert 80 <= len([card for card in CARDS if card["type"] != "code"]) <= 130  # code cards: test_code_cards


def test_card_ids_are_unique_and_well_formed():
    ids = [card["id"] for card in CARDS]
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    assert all(ID_PATTERN.fullmatch(card_id) for card_id in ids)


@pytest.mark.parametrize("card", CARDS, ids=lambda card: card["id"])
def test_card_has_valid_type_and_fields(card):
    assert card["type"] in TYPES
    required, optional = TYPE_KEYS[card["type"]]
    assert required <= card.keys(), f"missing {required - card.keys()}"
    unknown = card.keys() - COMMON_KEYS - required - optional
    assert not unknown, f"unknown keys {unknown}"
    assert isinstance(card["source"], str) and card["source"].strip()
    assert card["tags"] and set(card["tags"]) <= TAGS, card["tags"]
    assert card.get("exercise", "relu") in EXERCISES


def test_cards_are_tied_to_every_exercise():
    assert {card["exercise"] for card in CARDS if "exercise" in card} == EXERCISES


@pytest.mark.parametrize("card", CARDS, ids=lambda card: card["id"])
def test_card_is_bilingual_and_concise(card):
    for where, value in text_fields(card):
        assert isinstance(value, dict) and set(value) == {"zh", "en"}, f"{where} needs zh and en"
        for lang in ("zh", "en"):
            text = value[lang]
            assert isinstance(text, str) and text.strip(), f"{where}.{lang} is empty"
            assert len([line for line in text.splitlines() if line.strip()]) <= 6, f"{where}.{lang} is too long"
            assert len(text) <= 600, f"{where}.{lang} is too long"
            assert not re.search(r"\b[Aa]n [0-9{]", text), f"{where}.{lang}: 'a', not 'an', before a number"
    if card["type"] == "typed":
        assert all(isinstance(item, str) and item.strip() for item in card.get("accept", []))


@pytest.mark.parametrize("card", [c for c in CARDS if c["type"] == "cloze"], ids=lambda card: card["id"])
def test_cloze_uses_the_same_deletions_in_both_languages(card):
    zh, en = ({number for number, _a, _h in CLOZE.findall(card["text"][lang])} for lang in ("zh", "en"))
    assert zh and zh == en


@pytest.mark.parametrize("card", [c for c in CARDS if c["type"] == "choice"], ids=lambda card: card["id"])
def test_choice_has_a_correct_and_a_wrong_option(card):
    flags = [option.get("correct", False) for option in card["options"]]
    assert True in flags and False in flags


@pytest.mark.parametrize("card", [c for c in CARDS if c["type"] == "numeric"], ids=lambda card: card["id"])
def test_numeric_question_shows_every_parameter(card):
    for lang in ("zh", "en"):
        assert set(PLACEHOLDER.findall(card["question"][lang])) == card["params"].keys(), lang


@pytest.mark.parametrize("card", [c for c in CARDS if c.get("match") in ("shape", "number")], ids=lambda c: c["id"])
def test_shape_and_number_cards_say_the_expected_form(card):
    hints = {
        "zh": re.search(r"？（(.+)）$", card["question"]["zh"]),
        "en": re.search(r"\?\s*\((.+)\)$", card["question"]["en"]),
    }
    assert all(hints.values()), "end the question with the expected form in brackets"
    if card["match"] == "shape":
        assert "形状" in hints["zh"].group(1) and "shape" in hints["en"].group(1)


# ---------------------------------------------------------------------------------------------- seed coverage


def test_every_source_quotes_the_seed():
    seed = seed_text()
    missing = [card["id"] for card in CARDS if card["source"] not in seed]
    assert not missing, f"sources that are not exact substrings of DLNotes.txt: {missing}"


def test_every_seed_note_is_a_card():
    lines = [line.strip() for line in seed_text().splitlines() if line.strip()]
    assert HEADING_LINES <= set(lines), "a heading listed as exempt is no longer in the seed"
    sources = [card["source"] for card in CARDS]
    uncovered = [
        line
        for line in lines
        if not line.startswith(FOOTER_PREFIX) and line not in HEADING_LINES and not any(s in line for s in sources)
    ]
    assert not uncovered, f"notes without a card: {uncovered}"


# ---------------------------------------------------------------------------------------------- no answer given away


def fold(text: str) -> str:
    """Casefold, and drop white space, punctuation and Markdown marks: what is left is what the words say."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if not ch.isspace() and not unicodedata.category(ch).startswith("P"))


def answers_and_prompt(item: ReviewItem, challenge: Challenge, lang: str) -> tuple[list[str], str]:
    """The answer text(s) of a review item and the prompt the learner sees with it."""
    card = item.card.fields
    if item.card.type == "basic":
        return [challenge.answer], challenge.question
    if item.card.type == "cloze":
        deletions = {f"c{number}": answer for number, answer, _hint in CLOZE.findall(card["text"][lang])}
        return [deletions[item.variant]], challenge.question
    if item.card.type == "choice":
        return [challenge.options[i] for i in challenge.correct_options], challenge.question
    answer = card["answer"][lang] if isinstance(card["answer"], dict) else str(card["answer"])
    return [answer, *card.get("accept", [])], challenge.question


@pytest.mark.parametrize("item", [i for i in ITEMS if i.card.type != "numeric"], ids=lambda item: item.key)
def test_no_review_item_shows_its_answer_with_its_question(item):
    for lang in ("zh", "en"):
        challenge = make_challenge(item, lang, random.Random(0))
        answers, prompt = answers_and_prompt(item, challenge, lang)
        match = item.card.fields.get("match")
        for answer in answers:
            if match == "shape":
                shown = {parse_shape(s) for s in re.findall(r"\([\d, ]+\)|\d+(?:\s*×\s*\d+)+", prompt)}
                assert parse_shape(answer) not in shown, (lang, answer)
            elif match == "number":
                shown = {parse_number(s) for s in re.findall(r"\d+(?:\.\d+)?", prompt)}
                assert parse_number(answer) not in shown, (lang, answer)
            elif len(fold(answer)) > 1:  # a one-character answer such as 0 is in many prompts without giving it away
                assert fold(answer) not in fold(prompt), (lang, answer, prompt)


def terms(front: str) -> set[str]:
    """The names a front gives its term: the parts around brackets, slashes and commas, and acronyms in it."""
    parts = re.split(r"[（）()/／，,、]", front)
    parts += re.findall(r"\b\w*[A-Z]\w*[A-Z]\w*\b", front)  # ReLU, CAM, GAP, BatchNorm
    parts += re.findall(r"\w+(?:-\w+)+", front)  # self-attention
    return {fold(part) for part in parts if len(fold(part)) >= 2}


def initials(text: str) -> str:
    return "".join(word[0] for word in re.findall(r"[A-Za-z]+", text)).casefold()


@pytest.mark.parametrize("card", [c for c in CARDS if c.get("reverse")], ids=lambda card: card["id"])
def test_the_back_of_a_reverse_card_does_not_name_its_front(card):
    names = terms(card["front"]["zh"]) | terms(card["front"]["en"])
    acronyms = {fold(a) for a in re.findall(r"\b[A-Z]{2,}\b", card["front"]["zh"] + " " + card["front"]["en"])}
    for lang in ("zh", "en"):
        back = card["back"][lang]
        named = sorted(name for name in names if name in fold(back))
        assert not named, f"the reverse side ({lang}) names the answer: {named}"
        spelled = sorted(acronym for acronym in acronyms if acronym in initials(back))
        assert not spelled, f"the reverse side ({lang}) spells the acronym out: {spelled}"


def test_the_give_away_check_catches_what_it_should():
    assert fold("“全连接层”") in fold("仅训练最后一个 全连接层。")
    assert "relu" in terms("ReLU 激活函数") and "relu" in fold("即 ReLU(x) = max(0, x)")
    assert "cam" in initials("Class Activation Mapping, a technique")
    assert "bn" in terms("BN（BatchNorm）") and "batchnorm" in terms("BN（BatchNorm）")
    assert "selfattention" in terms("Multi-headed self-attention")


# ---------------------------------------------------------------------------------------------- rendering


CODE_SPAN = re.compile(r"`[^`]+`")


def rendered(markdown: str) -> str:
    console = Console(file=io.StringIO(), width=100, color_system=None, force_terminal=False)
    console.print(Markdown(markdown))
    return console.file.getvalue()


@pytest.mark.parametrize("item", ITEMS, ids=lambda item: item.key)
def test_every_item_renders_without_leftover_markup(item):
    """`**` next to a CJK character is not bold in CommonMark, and Markdown can eat a formula's `*` or `_`."""
    for lang in ("zh", "en", "both"):
        challenge = make_challenge(item, lang, random.Random(3))
        assert challenge.question.strip() and challenge.answer.strip()
        shown_as_code = challenge.mode == CODE  # a code card's fill is shown as code, never as Markdown
        for source in (
            challenge.question,
            "" if shown_as_code else challenge.answer,
            challenge.extra,
            *challenge.options,
        ):
            if not source:
                continue
            source = CODE_SPAN.sub("`code`", source)  # what is inside a code span is shown as written
            out = rendered(source)
            assert "**" not in out, (lang, out)
            assert out.count("_") == source.count("_"), (lang, source)
            assert out.count("*") == source.replace("**", "").count("*"), (lang, source)


def test_the_render_check_catches_bold_after_chinese():
    assert "**" in rendered("训练**[…]**；")
    assert "**" not in rendered("训练 **[…]** ；")


# ---------------------------------------------------------------------------------------------- README and schema


def readme_deck_examples():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)


def test_readme_examples_are_valid_decks(tmp_path):
    examples = readme_deck_examples()
    assert examples, "the README shows the deck format"
    for index, example in enumerate(examples):
        path = tmp_path / f"example{index}.yaml"
        path.write_text(example, encoding="utf-8")
        deck = load_deck(path)
        jsonschema.validate(plain(yaml.safe_load(example)), deck_schema())
        # the README shows one example of every registered card type
        assert {card.type for card in deck.cards} == {card_type.name for card_type in registered()}


def test_schema_rejects_what_the_loader_rejects():
    bad = {"id": "d", "title": "T", "cards": [{"id": "a", "type": "flash", "front": "x", "back": "y"}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, deck_schema())
    missing = {"id": "d", "title": "T", "cards": [{"id": "a", "type": "basic", "front": "x"}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(missing, deck_schema())
