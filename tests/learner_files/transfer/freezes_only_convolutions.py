"""Learner mistake: freezes the convolutions and forgets the BatchNorm layers' weight and bias."""

from torch import nn


def prepare_transfer(model, mode, num_classes):
    old = model.classifier
    if mode >= 2:
        for layer in model.features:
            if isinstance(layer, nn.Conv2d):
                layer.weight.requires_grad = False
    if mode == 3:
        for p in old.parameters():
            p.requires_grad = False
        model.classifier = nn.Sequential(old, nn.Linear(10, num_classes))
    else:
        model.classifier = nn.Linear(old.in_features, num_classes)
    return [p for p in model.parameters() if p.requires_grad]


def set_training(model, mode):
    model.train()
    if mode in (2, 3):
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.eval()
