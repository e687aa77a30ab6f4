"""Learner mistake: replaces model.fc, as for torchvision's ResNet; this model's head is model.classifier."""

from torch import nn


def prepare_transfer(model, mode, num_classes):
    if mode >= 2:
        for p in model.parameters():
            p.requires_grad = False
    model.fc = nn.Linear(model.classifier.in_features, num_classes)
    if mode == 1:
        return list(model.parameters())
    return list(model.fc.parameters())


def set_training(model, mode):
    model.train()
    if mode in (2, 3):
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.eval()
