"""Learner mistake: attaches the new layer first, then freezes everything, the new layer included."""

from torch import nn


def prepare_transfer(model, mode, num_classes):
    old = model.classifier
    if mode == 3:
        new = nn.Linear(old.out_features, num_classes)
        model.classifier = nn.Sequential(old, new)
    else:
        new = nn.Linear(old.in_features, num_classes)
        model.classifier = new
    if mode == 1:
        return list(model.parameters())
    for p in model.parameters():
        p.requires_grad = False
    return list(new.parameters())


def set_training(model, mode):
    model.train()
    if mode in (2, 3):
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.eval()
