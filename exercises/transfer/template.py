"""dlquiz exercise `transfer`: the three ways of transfer learning from the notes, with PyTorch's API.

Grade this file with `dlquiz exercise transfer` (add `--hint` when stuck).
This exercise is about PyTorch itself, so here `import torch` is allowed.
"""


def prepare_transfer(model, mode, num_classes):
    """Prepare a pretrained ``model`` for a new task with ``num_classes`` classes, in place.

    model.features:   nn.Sequential, pretrained   (N, 3, H, W) -> (N, F)
    model.classifier: nn.Linear(F, 10), pretrained (N, F) -> (N, 10)
    mode 1: train everything: model.classifier = nn.Linear(F, num_classes); every parameter is trained
    mode 2: train the last layer only: freeze the features; model.classifier = nn.Linear(F, num_classes)
    mode 3: add a layer: freeze everything pretrained;
            model.classifier = nn.Sequential(old_classifier, nn.Linear(10, num_classes))
    returns: the list of parameters the optimizer should update (those that require grad)
    """
    # F = model.classifier.in_features             # features per image, 10 = model.classifier.out_features
    # TODO mode 1: a new nn.Linear(F, num_classes) head; return every parameter of the model
    # TODO modes 2 and 3: freeze with requires_grad (model.eval() freezes nothing)
    # TODO mode 2: replace the head; mode 3: append nn.Linear(10, num_classes) after the old head
    # return [...]                                 # only the parameters that should change
    raise NotImplementedError("prepare_transfer is not written yet")


def set_training(model, mode):
    """Put ``model`` in training mode for transfer ``mode`` (returns nothing).

    mode 1: like model.train()
    modes 2 and 3: like model.train(), but every frozen BatchNorm layer stays in eval mode, so that its running
                   statistics stay as they were pretrained
    """
    # TODO model.train() switches every submodule, so call it before putting BatchNorm layers in eval mode
    # TODO a BatchNorm layer is nn.BatchNorm2d here; it is frozen when none of its parameters requires grad
    raise NotImplementedError("set_training is not written yet")
