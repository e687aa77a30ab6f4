"""`transfer`: the three ways of transfer learning with PyTorch's API, graded through a harness in the learner's
process; the mistakes learners make with requires_grad, eval() and BatchNorm statistics."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from typer.testing import CliRunner

from dlquiz.cli import exercise as exercise_cli
from dlquiz.cli.app import app
from dlquiz.grading.cases import prepare
from dlquiz.grading.catalog import load_exercise
from dlquiz.grading.grader import grade_file

FILES = Path(__file__).parent / "learner_files" / "transfer"
exercise_cli.register(app)


@pytest.fixture(scope="module")
def transfer():
    return load_exercise("transfer")


@pytest.fixture(scope="module")
def expected(transfer) -> dict[str, dict]:
    """The reference solution's summaries, by case name."""
    grading = prepare(transfer)
    return {case.name: summary for case, summary in zip(grading.cases, grading.references(), strict=False)}


def test_reference_solution_passes(transfer):
    result = grade_file(transfer, transfer.solution_path)
    assert result.status == "passed" and result.cases_passed == result.cases_total == 17


def test_a_correct_solution_written_differently_passes(transfer):
    result = grade_file(transfer, FILES / "alternative.py")  # loops, a generator, features.train(False)
    assert result.status == "passed", result.summary()


def test_metadata_and_the_verbatim_note(transfer):
    assert (transfer.order, transfer.functions) == (60, ("prepare_transfer", "set_training"))
    assert len(transfer.hints) >= 3 and all(set(hint) == {"zh", "en"} for hint in transfer.hints)
    assert transfer.note.startswith("迁移学习\n- 迁移学习: 使用预训练模型去训练")
    seeds = [folder / "shared" / "seeds" / "DLNotes.txt" for folder in Path(__file__).resolve().parents]
    seed = next((path for path in seeds if path.is_file()), None)
    if seed is None:
        pytest.skip("DLNotes.txt seed is not present (the repository ships without it)")
    assert transfer.note in seed.read_text(encoding="utf-8")


def test_torch_is_allowed_here_and_only_here(transfer):
    assert transfer.allow_torch
    assert [e.id for e in map(load_exercise, ("relu", "gap", "batchnorm")) if e.allow_torch] == []


# --- the reference summaries follow the task's contract -------------------------------------------------------


# The pretrained model's parameter names (harness.PretrainedNet): convolutions 0 and 4 (no bias), BatchNorm 1 and 5.
FEATURE_PARAMETERS = [
    "features.0.weight",
    "features.1.bias",
    "features.1.weight",
    "features.4.weight",
    "features.5.bias",
    "features.5.weight",
]
BN_STATISTICS = [
    f"features.{i}.{name}" for i in (1, 5) for name in ("num_batches_tracked", "running_mean", "running_var")
]


def test_mode_1_trains_everything_with_a_new_head(expected):
    summary = expected["prepare_transfer: mode 1, 5 classes"]
    everything = sorted(FEATURE_PARAMETERS + ["classifier.bias", "classifier.weight"])
    assert summary["returned"] == summary["trainable"] == everything
    assert "classifier: Linear(in_features=16, out_features=5, bias=True)" in summary["modules"]
    assert summary["pretrained classifier"] is None and summary["output shape"] == (4, 5)
    tuned = expected["fine-tuning: mode 1, 3 classes, 3 SGD steps"]["changed by training"]
    assert tuned == sorted(everything + BN_STATISTICS)  # BatchNorm trains too: its statistics move


@pytest.mark.parametrize("classes", [5, 10])
def test_mode_2_trains_only_a_new_head(expected, classes):
    summary = expected[f"prepare_transfer: mode 2, {classes} classes"]
    assert summary["returned"] == summary["trainable"] == ["classifier.bias", "classifier.weight"]
    assert summary["pretrained dropped"] == ["classifier.bias", "classifier.weight"]  # a new head, not the old one
    assert summary["pretrained changed"] == [] and summary["output shape"] == (4, classes)
    tuned = expected["fine-tuning: mode 2, 7 classes, 3 SGD steps"]["changed by training"]
    assert tuned == ["classifier.bias", "classifier.weight"]  # frozen weights and BN statistics stay


def test_mode_3_appends_a_layer_to_the_frozen_network(expected):
    summary = expected["prepare_transfer: mode 3, 5 classes"]
    assert summary["returned"] == summary["trainable"] == ["classifier.1.bias", "classifier.1.weight"]
    assert summary["modules"][-3:] == [
        "classifier: Sequential()",
        "classifier.0: Linear(in_features=16, out_features=10, bias=True)",
        "classifier.1: Linear(in_features=10, out_features=5, bias=True)",
    ]
    assert summary["pretrained classifier"] == "classifier.0" and summary["pretrained dropped"] == []
    tuned = expected["fine-tuning: mode 3, 4 classes, 3 SGD steps"]["changed by training"]
    assert tuned == ["classifier.1.bias", "classifier.1.weight"]


@pytest.mark.parametrize("start", ["train", "eval"])
def test_set_training_keeps_frozen_batchnorm_in_eval_mode(expected, start):
    assert expected[f"set_training: mode 1, model in {start} mode before"]["training flags"] == [
        "model: train",
        "features.0: train",
        "features.1: train",
        "features.4: train",
        "features.5: train",
        "classifier: train",
    ]
    for mode, head in ((2, ["classifier: train"]), (3, ["classifier.1: train"])):
        flags = expected[f"set_training: mode {mode}, model in {start} mode before"]["training flags"]
        assert flags == ["model: train", "features.1: eval", "features.5: eval", *head]


def test_pytorch_moves_the_statistics_of_a_frozen_batchnorm_in_training_mode():
    """The fact behind set_training: requires_grad=False does not stop BatchNorm's running statistics."""
    layer = torch.nn.BatchNorm2d(3).requires_grad_(False)
    before = layer.running_mean.clone()
    layer.train()
    layer(torch.randn(4, 3, 5, 5) + 2.0)
    assert not torch.equal(layer.running_mean, before)
    moved = layer.running_mean.clone()
    layer.eval()
    layer(torch.randn(4, 3, 5, 5) + 2.0)
    assert torch.equal(layer.running_mean, moved)


# --- the mistakes ---------------------------------------------------------------------------------------------

WRONG = [
    ("freezes_with_eval.py", "features_not_frozen", "trainable parameters (requires_grad=True): unexpected"),
    ("module_attribute_requires_grad.py", "features_not_frozen", "trainable parameters"),
    ("freezes_only_convolutions.py", "bn_parameters_trainable", "returned parameters: unexpected features.1.bias"),
    ("returns_model_parameters.py", "returns_all_parameters", "returned parameters: unexpected features.0.weight"),
    ("replaces_in_mode_3.py", "replaces_instead_of_appending", "missing classifier.1.bias"),
    (
        "appends_linear_f.py",
        "appended_layer_takes_features",
        "unexpected classifier.1: Linear(in_features=16, out_features=5, bias=True)",
    ),
    ("freezes_after_replacing.py", "new_layer_frozen", "trainable parameters (requires_grad=True): missing"),
    ("old_classifier_trainable.py", "old_classifier_trainable", "unexpected classifier.0.bias"),
    ("assigns_fc.py", "head_assigned_to_fc", "unexpected fc.bias, fc.weight"),
    ("mode_1_keeps_head.py", "mode_1_keeps_the_old_head", "out_features=10"),
    ("bn_eval_then_train.py", "bn_left_training", "unexpected features.1: train, features.5: train"),
    ("train_only.py", "bn_left_training", "missing features.1: eval"),
    ("bn_eval_without_train.py", "train_mode_not_set", "unexpected model: eval"),
    ("whole_model_eval.py", "whole_model_eval", "unexpected model: eval"),
    ("bn_eval_in_mode_1.py", "bn_eval_in_mode_1", "unexpected features.1: eval"),
]


@pytest.mark.parametrize("name, mistake, words", WRONG, ids=[w[0] for w in WRONG])
def test_each_mistake_gets_its_diagnosis(transfer, name, mistake, words):
    result = grade_file(transfer, FILES / name)
    assert (result.status, result.error_kind) == ("failed", None)
    assert result.first_failure.kind == "wrong_values"
    assert words in result.first_failure.message["en"]
    assert result.first_failure.message["zh"].startswith(result.first_failure.function + "：")
    assert [d.name for d in result.diagnoses] == [mistake]
    assert result.diagnoses[0].message["zh"]


def test_frozen_statistics_drift_only_where_batchnorm_was_left_training(transfer):
    result = grade_file(transfer, FILES / "train_only.py")
    failed = {case.name: case for case in result.cases if not case.passed}
    tuned = failed["fine-tuning: mode 2, 7 classes, 3 SGD steps"]
    assert "features.1.running_mean" in tuned.actual["changed by training"]
    assert "tensors changed by 3 SGD steps: unexpected" in tuned.message["en"]
    assert "fine-tuning: mode 1, 3 classes, 3 SGD steps" not in failed  # in mode 1 BatchNorm should train


def test_a_forward_pass_that_fails_is_reported_not_raised(transfer):
    result = grade_file(transfer, FILES / "appends_linear_f.py")
    case = next(c for c in result.cases if c.name == "prepare_transfer: mode 3, 5 classes")
    assert case.actual["output shape"].startswith("the forward pass failed: RuntimeError: mat1 and mat2 shapes")


def test_cli_grades_with_exit_codes_and_json(transfer):
    runner = CliRunner()
    passed = runner.invoke(app, ["exercise", "transfer", "--file", str(transfer.solution_path), "--json"])
    assert passed.exit_code == 0, passed.output
    assert json.loads(passed.stdout)["status"] == "passed"
    failed = runner.invoke(app, ["exercise", "transfer", "--file", str(FILES / "train_only.py"), "--json"])
    assert failed.exit_code == 1
    data = json.loads(failed.stdout)
    assert data["status"] == "failed" and [d["name"] for d in data["diagnoses"]] == ["bn_left_training"]
