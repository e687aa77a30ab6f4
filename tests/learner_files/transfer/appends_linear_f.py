"""Learner mistake: mode 3 appends nn.Linear(F, num_classes) after a head that outputs 10 values."""

from torch import nn


def prepare_transfer(model, mode, num_classes):
    F = model.classifier.in_features
    if mode >= 2:
        model.requires_grad_(False)
    if mode == 3:
        new = nn.Linear(F, num_classes)
        model.classifier = nn.Sequential(model.classifier, new)
        return list(new.parameters())
    model.classifier = nn.Linear(F, num_classes)
    return list(model.parameters()) if mode == 1 else list(model.classifier.parameters())


def set_training(model, mode):
    model.train()
    if mode in (2, 3):
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.eval()
