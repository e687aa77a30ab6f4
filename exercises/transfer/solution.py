"""Reference solution for `transfer`: the three ways of transfer learning from the notes, with PyTorch's API."""

from torch import nn

BATCH_NORMS = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)


def prepare_transfer(model, mode, num_classes):
    """Prepare the pretrained ``model`` in place for a task with ``num_classes`` classes; return what to train."""
    old = model.classifier  # nn.Linear(F, 10), pretrained
    if mode == 1:  # load the weights, then train every parameter
        model.classifier = nn.Linear(old.in_features, num_classes)  # (N, F) -> (N, num_classes)
        return list(model.parameters())
    model.requires_grad_(False)  # every pretrained parameter: the features, and the old classifier
    if mode == 2:  # train the last layer only: a new head in place of the old one
        model.classifier = nn.Linear(old.in_features, num_classes)  # (N, F) -> (N, num_classes)
        new = model.classifier
    else:  # mode 3: keep the whole pretrained network and add one fully connected layer on top
        new = nn.Linear(old.out_features, num_classes)  # (N, 10) -> (N, num_classes)
        model.classifier = nn.Sequential(old, new)  # (N, F) -> (N, 10) -> (N, num_classes)
    return list(new.parameters())  # a new layer's parameters require grad


def set_training(model, mode):
    """Training mode for transfer ``mode``: frozen BatchNorm layers keep their pretrained running statistics."""
    model.train()  # sets every submodule to training mode, so it comes first
    if mode in (2, 3):
        for module in model.modules():
            frozen = not any(parameter.requires_grad for parameter in module.parameters())
            if isinstance(module, BATCH_NORMS) and frozen:
                module.eval()  # normalise with the pretrained statistics and leave them as they are
