"""The `transfer` exercise's harness: runs in the learner's process, and in dlquiz's on the reference solution.

The exercise is about PyTorch's own API — freezing parameters, replacing or extending a model's head, train and
eval modes — so its input is a model and its output is what happened to that model, which cannot cross the process
boundary by identity. ``run`` builds a small "pretrained" CNN, calls the learner's functions on it and returns a
plain-data summary of what they did. The grader compares it, field by field, with the summary the reference
solution gives (see dlquiz/grading/spec.py). Standalone by design — the standard library and torch, never dlquiz —
as it runs in the learner's process.

Three checks (a case's ``check`` keyword):

* ``prepare``: ``prepare_transfer(model, mode, num_classes)`` on a fresh model. Summary: the returned parameters by
  name, the trainable ones (requires_grad), every module, where the pretrained classifier ended up, which
  pretrained tensors changed or left the model, and the output shape.
* ``set_training``: ``set_training(model, mode)`` on a model prepared as the task describes (by this harness, so
  a mistake in prepare_transfer does not show here), starting in train or eval mode. Summary: the training flags
  of the model, of every BatchNorm layer and of every module with trainable parameters.
* ``fine_tune``: both of the learner's functions, then a few steps of SGD on the parameters prepare_transfer returned.
  Summary: which parameters and BatchNorm statistics the training changed, and the output shape.
"""

import torch
from torch import nn

FEATURES = 16  # F: what model.features gives per image
PRETRAINED_CLASSES = 10
BATCH = 4  # N
SIZE = 8  # H = W of the images
SGD_STEPS = 3
BATCH_NORMS = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)


class PretrainedNet(nn.Module):
    """Stands for a pretrained model: ``features`` (conv → BN → ReLU blocks, then global average pooling and a
    flatten to F values) and a linear ``classifier`` over the 10 classes it was trained on."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, kernel_size=3, padding=1, bias=False),  # (N, 8, 8, 8): no bias in front of BN
            nn.BatchNorm2d(8),
            nn.ReLU(),
            nn.MaxPool2d(2),  # (N, 8, 4, 4)
            nn.Conv2d(8, FEATURES, kernel_size=3, padding=1, bias=False),  # (N, F, 4, 4)
            nn.BatchNorm2d(FEATURES),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),  # (N, F, 1, 1)
            nn.Flatten(),  # (N, F)
        )
        self.classifier = nn.Linear(FEATURES, PRETRAINED_CLASSES)  # (N, F) -> (N, 10)

    def forward(self, x):
        return self.classifier(self.features(x))  # (N, 3, H, W) -> (N, classes)


def pretrained(seed):
    """The model with seeded weights and BatchNorm statistics as if it had been trained: not the defaults (0, 1),
    so that statistics that drift or are reset show. In training mode, as a freshly built model is."""
    torch.manual_seed(seed)
    model = PretrainedNet()
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, BATCH_NORMS):
                module.weight.uniform_(0.5, 1.5)
                module.bias.normal_(0.0, 0.1)
                module.running_mean.normal_(0.0, 0.5)
                module.running_var.uniform_(0.5, 2.0)
                module.num_batches_tracked.fill_(1000)
    return model


def prepared_as_the_task_says(model, mode, num_classes):
    """The starting point of the set_training check: frozen and extended exactly as the task describes."""
    old = model.classifier
    if mode == 1:
        model.classifier = nn.Linear(old.in_features, num_classes)
        return
    model.requires_grad_(False)
    if mode == 2:
        model.classifier = nn.Linear(old.in_features, num_classes)
    else:
        model.classifier = nn.Sequential(old, nn.Linear(old.out_features, num_classes))


# --- describing a model as plain data ---------------------------------------------------------------------------


def _first_line(error):
    text = f"{type(error).__name__}: {error}".strip().splitlines()[0]
    return text if len(text) <= 200 else text[:200] + " …"


def _tensors(model):
    """Every parameter and buffer of the model, by name."""
    return list(model.named_parameters()) + list(model.named_buffers())


def _returned(model, value):
    """The returned parameters by name (sorted), or a description of what came back instead."""
    if value is None:
        return "None"
    if isinstance(value, torch.Tensor):
        return "a single tensor, not a list of parameters"
    if isinstance(value, nn.Module):
        return f"a module ({type(value).__name__}), not a list of its parameters"
    if isinstance(value, (str, bytes, dict)):
        return f"a {type(value).__name__}, not a list of parameters"
    try:
        items = list(value)
    except TypeError:
        return f"a {type(value).__name__}, not a list of parameters"
    names = {id(parameter): name for name, parameter in model.named_parameters()}
    described = []
    for item in items:
        if isinstance(item, torch.Tensor) and id(item) in names:
            described.append(names[id(item)])
        elif isinstance(item, torch.Tensor):
            described.append("<a tensor that is not a parameter of model>")
        else:
            described.append(f"<a {type(item).__name__}, not a parameter>")
    return sorted(described)


def _modules(model):
    return [f"{name}: {type(module).__name__}({module.extra_repr()})" for name, module in model.named_modules() if name]


def _location(model, module):
    return next((name or "model" for name, candidate in model.named_modules() if candidate is module), None)


def _flags(model):
    """Training flags that matter: the model's, BatchNorm layers' and those of modules with trainable parameters
    (ReLU or pooling behave the same in both modes, so their flags are left out)."""
    return [
        f"{name or 'model'}: {'train' if module.training else 'eval'}"
        for name, module in model.named_modules()
        if not name
        or isinstance(module, BATCH_NORMS)
        or any(parameter.requires_grad for parameter in module.parameters(recurse=False))
    ]


def _images(seed, num_classes):
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(BATCH, 3, SIZE, SIZE, generator=generator)  # (N, 3, H, W)
    y = torch.randint(0, num_classes, (BATCH,), generator=generator)  # (N,)
    return x, y


def _output_shape(model, x):
    """The shape of the model's output for ``x``, evaluated without changing any statistic."""
    model.eval()
    try:
        with torch.no_grad():
            return tuple(model(x).shape)
    except Exception as error:  # e.g. a head whose in_features do not match
        return f"the forward pass failed: {_first_line(error)}"


def _train(model, parameters, x, y):
    """SGD_STEPS steps of plain SGD on ``parameters``; the names of the tensors that changed, or why it failed.

    The update is torch.optim.SGD's without momentum, written out: the optimizer's first use imports
    torch._dynamo, which would double the time of grading.
    """
    before = {name: tensor.detach().clone() for name, tensor in _tensors(model)}
    try:
        parameters = list(parameters)
    except TypeError as error:
        return f"training failed: {_first_line(error)}"
    if not parameters:
        return "training failed: the list of parameters to train is empty"
    if not all(isinstance(parameter, torch.Tensor) for parameter in parameters):
        return "training failed: not every item to train is a tensor"
    try:
        for _ in range(SGD_STEPS):
            model.zero_grad(set_to_none=True)
            for parameter in parameters:
                parameter.grad = None
            nn.functional.cross_entropy(model(x), y).backward()
            with torch.no_grad():
                for parameter in parameters:
                    if parameter.grad is not None:  # as the optimizer does: a frozen parameter has no gradient
                        parameter.sub_(0.1 * parameter.grad)
    except Exception as error:  # e.g. nothing to train: "element 0 of tensors does not require grad"
        return f"training failed: {_first_line(error)}"
    return sorted(name for name, tensor in _tensors(model) if name in before and not torch.equal(tensor, before[name]))


# --- the checks ---------------------------------------------------------------------------------------------------


def _prepare(learner, mode, num_classes, seed):
    model = pretrained(seed)
    x, _ = _images(seed, num_classes)
    pretrained_classifier = model.classifier
    before = {id(tensor): (name, tensor.detach().clone()) for name, tensor in _tensors(model)}
    returned = learner["prepare_transfer"](model, mode, num_classes)
    now = {id(tensor): tensor for _, tensor in _tensors(model)}
    return {
        "returned": _returned(model, returned),
        "trainable": sorted(name for name, parameter in model.named_parameters() if parameter.requires_grad),
        "modules": _modules(model),
        "pretrained classifier": _location(model, pretrained_classifier),
        "pretrained changed": sorted(
            name for key, (name, value) in before.items() if key in now and not torch.equal(now[key], value)
        ),
        "pretrained dropped": sorted(name for key, (name, _) in before.items() if key not in now),
        "output shape": _output_shape(model, x),
    }


def _set_training(learner, mode, num_classes, seed, start):
    model = pretrained(seed)
    prepared_as_the_task_says(model, mode, num_classes)
    model.train(start == "train")
    learner["set_training"](model, mode)
    return {"training flags": _flags(model)}


def _fine_tune(learner, mode, num_classes, seed):
    model = pretrained(seed)
    x, y = _images(seed, num_classes)
    returned = learner["prepare_transfer"](model, mode, num_classes)
    learner["set_training"](model, mode)
    if isinstance(returned, torch.Tensor) or returned is None:
        changed = f"training failed: prepare_transfer returned {_returned(model, returned)}"
    else:
        changed = _train(model, returned, x, y)
    return {"changed by training": changed, "output shape": _output_shape(model, x)}


def run(learner, function, *, check, mode, num_classes, seed=0, start="train"):
    """One case: ``learner`` maps the learner's function names to their functions; ``function`` is the one the
    case is about (the report's name for it). Exceptions from the learner's functions propagate."""
    if check == "prepare":
        return _prepare(learner, mode, num_classes, seed)
    if check == "set_training":
        return _set_training(learner, mode, num_classes, seed, start)
    if check == "fine_tune":
        return _fine_tune(learner, mode, num_classes, seed)
    raise ValueError(f"unknown check {check!r}")
