"""Grading for `transfer`: cases for the harness, and the mistakes learners make with PyTorch's freezing API.

Cases run through ``harness.py`` in the learner's process (see dlquiz/grading/spec.py): each names a ``check``
(prepare, set_training, fine_tune), the transfer ``mode``, the new ``num_classes``, a ``seed`` for the pretrained
model and, for set_training, the mode the model is in before the call (``start``). The expected summaries come
from the reference solution run through the same harness, with PyTorch, in dlquiz's process.

Mistakes replace one of the learner's two functions (the other is the reference solution's); torch is imported
inside them, as grading.py is loaded before it is needed.
"""

from __future__ import annotations

from dlquiz.grading.spec import Case, Mistake

PREPARE, SET_TRAINING = "prepare_transfer", "set_training"

# Bilingual names of the harness summary's fields, for the report.
SUMMARY_FIELDS = {
    "returned": {"en": "returned parameters", "zh": "返回的参数"},
    "trainable": {"en": "trainable parameters (requires_grad=True)", "zh": "可训练的参数（requires_grad=True）"},
    "modules": {"en": "modules of the model", "zh": "模型的模块"},
    "pretrained classifier": {"en": "where the pretrained classifier is", "zh": "预训练分类器的位置"},
    "pretrained changed": {
        "en": "pretrained tensors changed by prepare_transfer",
        "zh": "被 prepare_transfer 改动的预训练张量",
    },
    "pretrained dropped": {"en": "pretrained tensors no longer in the model", "zh": "已不在模型中的预训练张量"},
    "output shape": {"en": "output shape for a batch of 4", "zh": "一批 4 张图的输出形状"},
    "training flags": {"en": "training flags after set_training", "zh": "set_training 之后的训练标志"},
    "changed by training": {"en": "tensors changed by 3 SGD steps", "zh": "3 步 SGD 改动的张量"},
}


# -- cases ------------------------------------------------------------------------------------------------------


def cases() -> list[Case]:
    prepare = [
        Case(
            f"prepare_transfer: mode {mode}, {classes} classes",
            PREPARE,
            kwargs={"check": "prepare", "mode": mode, "num_classes": classes, "seed": seed},
        )
        # 10 classes, like the pretrained head: keeping the old head must still show
        for seed, (mode, classes) in enumerate([(1, 5), (1, 10), (2, 5), (2, 10), (3, 5), (3, 10), (3, 2)], 1)
    ]
    training = [
        Case(
            f"set_training: mode {mode}, model in {start} mode before",
            SET_TRAINING,
            kwargs={"check": "set_training", "mode": mode, "num_classes": 5, "seed": 20 + mode, "start": start},
        )
        for mode in (1, 2, 3)
        for start in ("train", "eval")
    ]
    fine_tune = [
        Case(
            f"fine-tuning: mode {mode}, {classes} classes, 3 SGD steps",
            PREPARE,
            kwargs={"check": "fine_tune", "mode": mode, "num_classes": classes, "seed": seed},
        )
        for seed, (mode, classes) in enumerate([(1, 3), (2, 7), (3, 4), (2, 10)], 30)
    ]
    return prepare + training + fine_tune


# -- mistakes learners make ----------------------------------------------------------------------------------------


def _head(old, mode, num_classes):
    """The new head as the task describes it, for mistakes that get it right."""
    from torch import nn

    if mode == 3:
        return nn.Sequential(old, nn.Linear(old.out_features, num_classes))
    return nn.Linear(old.in_features, num_classes)


def _freezes_with_eval(model, mode, num_classes):
    old = model.classifier
    if mode >= 2:
        model.features.eval()  # "frozen"
        if mode == 3:
            old.eval()
    model.classifier = _head(old, mode, num_classes)
    new = model.classifier if mode != 3 else model.classifier[1]
    return list(model.parameters()) if mode == 1 else list(new.parameters())


def _returns_all_parameters(model, mode, num_classes):
    old = model.classifier
    if mode >= 2:
        model.requires_grad_(False)
    model.classifier = _head(old, mode, num_classes)
    return model.parameters()


def _replaces_instead_of_appending(model, mode, num_classes):
    from torch import nn

    old = model.classifier
    if mode >= 2:
        model.requires_grad_(False)
    model.classifier = nn.Linear(old.in_features, num_classes)  # mode 3 too
    return list(model.parameters()) if mode == 1 else list(model.classifier.parameters())


def _appends_with_feature_size(model, mode, num_classes):
    from torch import nn

    old = model.classifier
    if mode >= 2:
        model.requires_grad_(False)
    if mode == 3:
        new = nn.Linear(old.in_features, num_classes)  # F inputs, but it follows the old head's 10 outputs
        model.classifier = nn.Sequential(old, new)
        return list(new.parameters())
    model.classifier = nn.Linear(old.in_features, num_classes)
    return list(model.parameters()) if mode == 1 else list(model.classifier.parameters())


def _freezes_after_replacing(model, mode, num_classes):
    old = model.classifier
    model.classifier = _head(old, mode, num_classes)
    new = model.classifier if mode != 3 else model.classifier[1]
    if mode >= 2:
        for parameter in model.parameters():  # the new layer's too
            parameter.requires_grad = False
    return list(model.parameters()) if mode == 1 else list(new.parameters())


def _old_classifier_trainable(model, mode, num_classes):
    old = model.classifier
    if mode >= 2:
        model.features.requires_grad_(False)  # the old classifier stays trainable
    model.classifier = _head(old, mode, num_classes)
    return [parameter for parameter in model.parameters() if parameter.requires_grad]


def _head_called_fc(model, mode, num_classes):
    from torch import nn

    if mode >= 2:
        model.requires_grad_(False)
    model.fc = nn.Linear(model.classifier.in_features, num_classes)  # ResNet's name; this model's head is classifier
    return list(model.parameters()) if mode == 1 else list(model.fc.parameters())


def _freezes_only_convolutions(model, mode, num_classes):
    from torch import nn

    old = model.classifier
    if mode >= 2:
        for module in model.features:
            if isinstance(module, nn.Conv2d):
                module.weight.requires_grad = False  # BatchNorm's weight and bias stay trainable
        if mode == 3:
            old.requires_grad_(False)
    model.classifier = _head(old, mode, num_classes)
    return [parameter for parameter in model.parameters() if parameter.requires_grad]


def _mode_1_keeps_the_old_head(model, mode, num_classes):
    old = model.classifier
    if mode == 1:
        return list(model.parameters())  # "train all parameters" — but the head still has 10 outputs
    model.requires_grad_(False)
    model.classifier = _head(old, mode, num_classes)
    new = model.classifier if mode != 3 else model.classifier[1]
    return list(new.parameters())


def _batch_norms(model):
    from torch import nn

    return [module for module in model.modules() if isinstance(module, nn.BatchNorm2d)]


def _bn_left_training(model, mode):
    for module in _batch_norms(model):
        if mode >= 2:
            module.eval()
    model.train()  # after: puts the BatchNorm layers back into training mode


def _bn_eval_but_not_train(model, mode):
    if mode >= 2:
        for module in _batch_norms(model):
            module.eval()
    else:
        model.train()


def _whole_model_eval(model, mode):
    if mode == 1:
        model.train()
    else:
        model.eval()  # the new head too


def _bn_eval_in_every_mode(model, mode):
    model.train()
    for module in _batch_norms(model):
        module.eval()


MISTAKES: list[Mistake] = [
    Mistake(
        "features_not_frozen",
        PREPARE,
        _freezes_with_eval,
        "The pretrained features still have requires_grad=True, so training changes them. model.eval() (or "
        ".eval() on a part) freezes nothing — it only switches BatchNorm and Dropout to their inference "
        "behaviour — and `model.features.requires_grad = False` merely sets a plain attribute. Freeze the "
        "parameters: model.features.requires_grad_(False), or p.requires_grad = False for each parameter.",
        "预训练的特征层参数仍是 requires_grad=True，训练时会被改动。model.eval()（或对某一部分调用 .eval()）"
        "不会冻结任何参数，它只把 BatchNorm 和 Dropout 切换成推理时的行为；`model.features.requires_grad = False` "
        "也只是给模块加了一个普通属性。要冻结的是参数：model.features.requires_grad_(False)，或对每个参数设 "
        "p.requires_grad = False。",
    ),
    Mistake(
        "bn_parameters_trainable",
        PREPARE,
        _freezes_only_convolutions,
        "Only the convolutions were frozen: the BatchNorm layers' weight and bias still require grad, so the "
        "'frozen' features keep changing. Freeze every parameter of model.features: "
        "model.features.requires_grad_(False).",
        "只冻结了卷积层：BatchNorm 层的 weight 和 bias 仍然要求梯度，“冻结”的特征层还在变。"
        "要冻结 model.features 的全部参数：model.features.requires_grad_(False)。",
    ),
    Mistake(
        "returns_all_parameters",
        PREPARE,
        _returns_all_parameters,
        "In modes 2 and 3 prepare_transfer returned every parameter of the model (model.parameters()), frozen ones "
        "included. Return only what is trained — the new layer's parameters, e.g. list(new_layer.parameters()) — "
        "so that the optimizer holds exactly the parameters that change.",
        "方式 2、3 中 prepare_transfer 返回了模型的全部参数（model.parameters()），连冻结的也在内。"
        "只返回要训练的参数——新层的参数，例如 list(new_layer.parameters())——让优化器里恰好是会变的参数。",
    ),
    Mistake(
        "replaces_instead_of_appending",
        PREPARE,
        _replaces_instead_of_appending,
        "In mode 3 the pretrained classifier was replaced, as in mode 2. Mode 3 keeps the whole pretrained network "
        "and adds a fully connected layer on top: model.classifier = nn.Sequential(old_classifier, "
        "nn.Linear(10, num_classes)).",
        "方式 3 把预训练的分类器替换掉了，和方式 2 一样。方式 3 要保留整个预训练网络，在它后面再加一层全连接层："
        "model.classifier = nn.Sequential(old_classifier, nn.Linear(10, num_classes))。",
    ),
    Mistake(
        "appended_layer_takes_features",
        PREPARE,
        _appends_with_feature_size,
        "In mode 3 the appended layer was built as nn.Linear(F, num_classes), but it comes after the old "
        "classifier, whose output has 10 values: use nn.Linear(old_classifier.out_features, num_classes).",
        "方式 3 追加的层写成了 nn.Linear(F, num_classes)，但它接在旧分类器之后，而旧分类器输出的是 10 个值："
        "应为 nn.Linear(old_classifier.out_features, num_classes)。",
    ),
    Mistake(
        "new_layer_frozen",
        PREPARE,
        _freezes_after_replacing,
        "The new layer was frozen too: the freezing ran after the new layer was attached, so nothing can train. "
        "Freeze the pretrained parameters first, then attach the new layer (a new layer requires grad).",
        "新层也被冻结了：冻结发生在接上新层之后，于是没有任何参数可以训练。先冻结预训练的参数，再接上新层"
        "（新建的层默认要求梯度）。",
    ),
    Mistake(
        "old_classifier_trainable",
        PREPARE,
        _old_classifier_trainable,
        "In mode 3 the pretrained classifier was left trainable; only the features were frozen. Mode 3 trains the "
        "added layer only: freeze everything pretrained (model.requires_grad_(False)) before adding it.",
        "方式 3 中预训练的分类器仍可训练，只冻结了特征层。方式 3 只训练新加的那一层：在添加它之前冻结所有预训练参数"
        "（model.requires_grad_(False)）。",
    ),
    Mistake(
        "head_assigned_to_fc",
        PREPARE,
        _head_called_fc,
        "The new head was assigned to model.fc, the name torchvision's ResNet uses. This model's head is "
        "model.classifier: model.fc is only a new, unused attribute and the old head still makes the output.",
        "新的分类头赋给了 model.fc——那是 torchvision 中 ResNet 的名字。这个模型的头叫 model.classifier："
        "model.fc 只是一个没人用的新属性，输出仍由旧的头产生。",
    ),
    Mistake(
        "mode_1_keeps_the_old_head",
        PREPARE,
        _mode_1_keeps_the_old_head,
        "In mode 1 the pretrained head was kept, so the model still predicts the 10 old classes. Training all "
        "parameters still needs a new head for the new task: model.classifier = nn.Linear(F, num_classes).",
        "方式 1 保留了预训练的分类头，模型仍然输出原来的 10 个类别。训练全部参数时也要为新任务换上新的头："
        "model.classifier = nn.Linear(F, num_classes)。",
    ),
    Mistake(
        "bn_left_training",
        SET_TRAINING,
        _bn_left_training,
        "The frozen BatchNorm layers are in training mode, so they normalise with each batch's statistics and "
        "overwrite their pretrained running_mean and running_var. model.train() switches every submodule: call it "
        "first, then .eval() on the frozen BatchNorm layers (modes 2 and 3).",
        "冻结的 BatchNorm 层处于训练模式，会用每个 batch 的统计量归一化，并覆盖预训练的 running_mean 和 running_var。"
        "model.train() 会切换所有子模块：先调用它，再对冻结的 BatchNorm 层调用 .eval()（方式 2、3）。",
    ),
    Mistake(
        "train_mode_not_set",
        SET_TRAINING,
        _bn_eval_but_not_train,
        "In modes 2 and 3 set_training only put the BatchNorm layers in eval mode and never called model.train(): "
        "a model that was in eval mode stays there, the new layer included. Call model.train() first.",
        "方式 2、3 中 set_training 只把 BatchNorm 层设为 eval，从未调用 model.train()：原本处于 eval 模式的模型"
        "（包括新层）会一直停在 eval 模式。先调用 model.train()。",
    ),
    Mistake(
        "whole_model_eval",
        SET_TRAINING,
        _whole_model_eval,
        "In modes 2 and 3 the whole model was put in eval mode. Training mode is still needed for the part that "
        "trains: call model.train(), then .eval() on the frozen BatchNorm layers only.",
        "方式 2、3 中整个模型都被设成了 eval 模式。正在训练的部分仍需要训练模式：先 model.train()，"
        "再只对冻结的 BatchNorm 层调用 .eval()。",
    ),
    Mistake(
        "bn_eval_in_mode_1",
        SET_TRAINING,
        _bn_eval_in_every_mode,
        "In mode 1 the BatchNorm layers were put in eval mode, but there every parameter trains, BatchNorm "
        "included: its statistics must follow the new data. Only frozen BatchNorm layers (modes 2 and 3) stay in "
        "eval mode.",
        "方式 1 中 BatchNorm 层被设成了 eval 模式，但方式 1 训练所有参数，BatchNorm 也在内，其统计量应随新数据更新。"
        "只有冻结的 BatchNorm 层（方式 2、3）才保持 eval 模式。",
    ),
]
