"""Learner mistake: mode 1 ("train all parameters") keeps the pretrained 10-class head."""

from torch import nn


def prepare_transfer(model, mode, num_classes):
    old = model.classifier
    if mode == 1:
        return list(model.parameters())
    model.requires_grad_(False)
    if mode == 2:
        model.classifier = nn.Linear(old.in_features, num_classes)
        return list(model.classifier.parameters())
    model.classifier = nn.Sequential(old, nn.Linear(old.out_features, num_classes))
    return list(model.classifier[1].parameters())


def set_training(model, mode):
    model.train()
    if mode in (2, 3):
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.eval()
