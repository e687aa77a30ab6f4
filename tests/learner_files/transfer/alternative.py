"""A correct solution written differently: loops over parameters, a generator for the optimizer, the whole
feature extractor in eval mode (ReLU and pooling behave the same in both modes)."""

import torch


def prepare_transfer(model, mode, num_classes):
    in_features = model.classifier.weight.shape[1]  # (10, F)
    if mode == 1:
        model.classifier = torch.nn.Linear(in_features, num_classes)
        return [p for _, p in model.named_parameters()]
    for p in model.parameters():
        p.requires_grad_(False)
    if mode == 2:
        model.classifier = torch.nn.Linear(in_features, num_classes)
        return model.classifier.parameters()
    pretrained_head = model.classifier
    model.classifier = torch.nn.Sequential()
    model.classifier.append(pretrained_head)
    model.classifier.append(torch.nn.Linear(pretrained_head.weight.shape[0], num_classes))
    return list(model.classifier[-1].parameters())


def set_training(model, mode):
    model.train(True)
    if mode != 1:
        model.features.train(False)
