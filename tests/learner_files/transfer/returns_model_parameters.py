"""Learner mistake: freezes correctly but hands every parameter to the optimizer."""

from torch import nn


def prepare_transfer(model, mode, num_classes):
    old = model.classifier
    if mode >= 2:
        for p in model.parameters():
            p.requires_grad = False
    if mode == 3:
        model.classifier = nn.Sequential(old, nn.Linear(old.out_features, num_classes))
    else:
        model.classifier = nn.Linear(old.in_features, num_classes)
    return model.parameters()


def set_training(model, mode):
    model.train()
    if mode in (2, 3):
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.eval()
