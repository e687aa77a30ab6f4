"""Learner mistake: mode 3 replaces the pretrained head instead of adding a layer after it."""

from torch import nn


def prepare_transfer(model, mode, num_classes):
    features = model.classifier.in_features
    if mode >= 2:
        model.requires_grad_(False)
    model.classifier = nn.Linear(features, num_classes)
    if mode == 1:
        return list(model.parameters())
    return list(model.classifier.parameters())


def set_training(model, mode):
    model.train()
    if mode in (2, 3):
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.eval()
