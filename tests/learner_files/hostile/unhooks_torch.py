"""From the hardening issue: removing the torch import hook and importing torch used to pass the exercise."""
import sys

sys.meta_path[:] = [finder for finder in sys.meta_path if type(finder).__name__ != "_RefuseTorch"]
import torch


def relu(x):
    return torch.relu(torch.from_numpy(x)).numpy()


def relu_grad(x):
    return (torch.from_numpy(x) > 0).to(torch.from_numpy(x).dtype).numpy()
