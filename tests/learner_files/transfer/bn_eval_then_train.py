"""Learner mistake: puts the BatchNorm layers in eval mode, then model.train() puts them back."""

from torch import nn


def prepare_transfer(model, mode, num_classes):
    old = model.classifier
    if mode == 1:
        model.classifier = nn.Linear(old.in_features, num_classes)
        return list(model.parameters())
    model.requires_grad_(False)
    if mode == 2:
        model.classifier = nn.Linear(old.in_features, num_classes)
        return list(model.classifier.parameters())
    new = nn.Linear(old.out_features, num_classes)
    model.classifier = nn.Sequential(old, new)
    return list(new.parameters())


def set_training(model, mode):
    if mode in (2, 3):
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.eval()
    model.train()
