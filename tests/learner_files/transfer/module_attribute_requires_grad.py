"""Learner mistake: sets requires_grad on the module, a plain attribute that freezes nothing."""

from torch import nn


def prepare_transfer(model, mode, num_classes):
    old = model.classifier
    if mode >= 2:
        model.features.requires_grad = False
    if mode == 3:
        old.requires_grad = False
        new = nn.Linear(old.out_features, num_classes)
        model.classifier = nn.Sequential(old, new)
        return list(new.parameters())
    model.classifier = nn.Linear(old.in_features, num_classes)
    return list(model.parameters()) if mode == 1 else list(model.classifier.parameters())


def set_training(model, mode):
    model.train()
    if mode in (2, 3):
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.eval()
