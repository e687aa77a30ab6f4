"""Learner mistake: mode 3 freezes the features only and keeps training the pretrained head."""

from torch import nn


def prepare_transfer(model, mode, num_classes):
    old = model.classifier
    if mode >= 2:
        for p in model.features.parameters():
            p.requires_grad = False
    if mode == 3:
        model.classifier = nn.Sequential(old, nn.Linear(old.out_features, num_classes))
    else:
        model.classifier = nn.Linear(old.in_features, num_classes)
    return [p for p in model.parameters() if p.requires_grad]


def set_training(model, mode):
    model.train()
    if mode in (2, 3):
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.eval()
