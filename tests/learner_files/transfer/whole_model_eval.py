"""Learner mistake: modes 2 and 3 put the whole model in eval mode, the new head included."""

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
    if mode == 1:
        model.train()
    else:
        model.eval()
