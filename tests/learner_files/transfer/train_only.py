"""Learner mistake: set_training is model.train() in every mode, so frozen BatchNorm statistics drift."""

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
    model.train()
