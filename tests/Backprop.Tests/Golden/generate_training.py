#!/usr/bin/env python3
"""Reference training runs from torch: whole mini-batch loops of 20-50 steps, end to end.

Each case trains a small network (dense, batch norm, convolution with stride and padding over odd sizes,
max and average pooling) with one optimizer, schedule and clipping setting over batches whose last one is
partial, then records every step's loss, the final parameters, batch norm's running statistics and the
outputs in eval mode. Writes training.json next to this file (see README.md). Regenerate with
    python3 tests/Backprop.Tests/Golden/generate_training.py
"""
import json
import math
import random
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
rng = random.Random(20261128)


def values(shape, scale=1.0):
    return torch.tensor([rng.uniform(-scale, scale) for _ in range(math.prod(shape))]).reshape(shape)


def flat(t):
    return t.detach().flatten().tolist()


def build(layers):
    """The torch module for a layer list in the JSON form (weights are drawn from rng, not torch's generator)."""
    modules = []
    for layer in layers:
        kind = layer["type"]
        if kind == "dense":
            modules.append(nn.Linear(layer["in"], layer["out"]))
        elif kind == "conv2d":
            modules.append(nn.Conv2d(layer["in"], layer["out"], layer["kernel"], stride=layer["stride"], padding=layer["padding"]))
        elif kind == "batchnorm":
            modules.append(nn.BatchNorm1d(layer["channels"]) if layer["rank"] == 2 else nn.BatchNorm2d(layer["channels"]))
        elif kind == "maxpool2d":
            modules.append(nn.MaxPool2d(layer["kernel"], layer["stride"]))
        elif kind == "avgpool2d":
            modules.append(nn.AvgPool2d(layer["kernel"], layer["stride"]))
        elif kind == "flatten":
            modules.append(nn.Flatten())
        else:
            modules.append({"tanh": nn.Tanh(), "relu": nn.ReLU(), "sigmoid": nn.Sigmoid()}[kind])
    network = nn.Sequential(*modules)
    with torch.no_grad():
        for p in network.parameters():
            p.copy_(values(p.shape, 0.6))
    return network


def make_optimizer(spec, params):
    kind, lr, wd = spec["type"], spec["lr"], spec["weight_decay"]
    if kind in ("sgd", "momentum", "nesterov"):
        return torch.optim.SGD(params, lr=lr, momentum=spec["momentum"], weight_decay=wd, nesterov=kind == "nesterov")
    adam = torch.optim.Adam if kind == "adam" else torch.optim.AdamW
    return adam(params, lr=lr, betas=tuple(spec["betas"]), eps=spec["eps"], weight_decay=wd)


def make_schedule(spec, optimizer):
    if spec is None:
        return None
    if spec["type"] == "step":
        return torch.optim.lr_scheduler.StepLR(optimizer, step_size=spec["step_size"], gamma=spec["gamma"])
    return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=spec["T_max"], eta_min=spec["eta_min"])


def case(name, layers, input_shape, rows, loss, optimizer, epochs, batch_size, schedule=None, clip=None, outputs=3):
    network = build(layers)
    x = values([rows, *input_shape], 2.0)
    if loss == "cross_entropy":
        y = torch.tensor([rng.randrange(outputs) for _ in range(rows)])
    else:
        y = values([rows, outputs], 2.0)
    initial = [flat(p) for p in network.parameters()]
    opt = make_optimizer(optimizer, list(network.parameters()))
    scheduler = make_schedule(schedule, opt)
    losses, lrs = [], []
    network.train()
    for _ in range(epochs):
        lrs.append(opt.param_groups[0]["lr"])
        for start in range(0, rows, batch_size):
            opt.zero_grad()
            out = network(x[start:start + batch_size])
            target = y[start:start + batch_size]
            value = F.cross_entropy(out, target) if loss == "cross_entropy" else F.mse_loss(out, target)
            value.backward()
            if clip is not None:
                torch.nn.utils.clip_grad_norm_(network.parameters(), clip)
            opt.step()
            losses.append(value.item())
        if scheduler:
            scheduler.step()
    buffers = [flat(b) for n, b in network.named_buffers() if not n.endswith("num_batches_tracked")]
    network.eval()
    with torch.no_grad():
        evaluated = flat(network(x))
    return {"name": name, "layers": layers, "input_shape": input_shape, "loss": loss, "optimizer": optimizer,
            "schedule": schedule, "clip_max_norm": clip, "epochs": epochs, "batch_size": batch_size,
            "x": flat(x), "y": flat(y), "initial": initial, "losses": losses, "lrs": lrs,
            "final": [flat(p) for p in network.parameters()], "running": buffers, "eval": evaluated}


def sgd(kind, lr, weight_decay=0.0, momentum=0.9):
    return {"type": kind, "lr": lr, "weight_decay": weight_decay, "momentum": 0.0 if kind == "sgd" else momentum,
            "betas": [0.9, 0.999], "eps": 1e-8}


def adam(kind, lr, weight_decay):
    return {"type": kind, "lr": lr, "weight_decay": weight_decay, "momentum": 0.0, "betas": [0.8, 0.99], "eps": 1e-6}


STEP = {"type": "step", "step_size": 3, "gamma": 0.5}


def cosine(t_max):
    return {"type": "cosine", "T_max": t_max, "eta_min": 0.001}


MLP = [{"type": "dense", "in": 5, "out": 7}, {"type": "tanh"}, {"type": "dense", "in": 7, "out": 3}]
# NOTE: batch norm follows a tanh, not the dense layer itself: a bias right before batch norm (or before a relu
# that passes a whole batch) has a gradient of pure rounding, since batch norm subtracts it out again, and Adam
# scales that rounding up to full steps that no two summation orders share.
BN_MLP = [{"type": "dense", "in": 5, "out": 6}, {"type": "tanh"}, {"type": "batchnorm", "channels": 6, "rank": 2},
          {"type": "dense", "in": 6, "out": 3}]
CNN_MAX = [{"type": "conv2d", "in": 2, "out": 3, "kernel": 3, "stride": 2, "padding": 1}, {"type": "relu"},
           {"type": "batchnorm", "channels": 3, "rank": 4}, {"type": "maxpool2d", "kernel": 3, "stride": 2},
           {"type": "flatten"}, {"type": "dense", "in": 12, "out": 3}]
CNN_AVG = [{"type": "conv2d", "in": 1, "out": 2, "kernel": 2, "stride": 3, "padding": 1}, {"type": "tanh"},
           {"type": "avgpool2d", "kernel": 2, "stride": 1}, {"type": "flatten"}, {"type": "dense", "in": 12, "out": 3}]


def main():
    cases = [
        # 10 rows in batches of 4: 4, 4, 2 — the last batch's mean is over its own 2 rows, as torch's
        case("mlp_sgd_weight_decay_step", MLP, [5], 10, "cross_entropy", sgd("sgd", 0.3, 0.05), 10, 4, STEP),
        case("mlp_momentum_cosine_clip", MLP, [5], 10, "cross_entropy", sgd("momentum", 0.1), 10, 4, cosine(10), clip=0.5),
        case("mlp_nesterov_weight_decay", MLP, [5], 10, "cross_entropy", sgd("nesterov", 0.1, 0.05), 10, 4),
        case("mlp_adam_l2_cosine", MLP, [5], 10, "cross_entropy", adam("adam", 0.05, 0.05), 10, 4, cosine(10)),
        case("mlp_adamw_step_clip", MLP, [5], 10, "cross_entropy", adam("adamw", 0.05, 0.05), 10, 4, STEP, clip=0.5),
        case("mlp_mse_adamw_cosine", MLP, [5], 11, "mse", adam("adamw", 0.02, 0.01), 8, 3, cosine(8), outputs=3),
        case("batchnorm_dense_momentum", BN_MLP, [5], 10, "cross_entropy", sgd("momentum", 0.1, 0.01), 8, 4),
        case("batchnorm_dense_adam_step", BN_MLP, [5], 10, "cross_entropy", adam("adam", 0.02, 0.0), 8, 4, STEP),
        # 5 images in batches of 2: the last batch is one image, whose 5×5 maps batch norm still normalises
        case("cnn_max_momentum_clip", CNN_MAX, [2, 9, 9], 5, "cross_entropy", sgd("momentum", 0.05, 0.01), 8, 2, STEP, clip=1.0),
        case("cnn_max_adamw_cosine", CNN_MAX, [2, 9, 9], 5, "cross_entropy", adam("adamw", 0.01, 0.01), 8, 2, cosine(8)),
        case("cnn_avg_sgd_odd_sizes", CNN_AVG, [1, 7, 10], 7, "cross_entropy", sgd("sgd", 0.2), 7, 3, STEP),
    ]
    for c in cases:
        assert all(math.isfinite(v) for v in c["losses"] + c["eval"]), c["name"]
        assert 20 <= len(c["losses"]) <= 50, (c["name"], len(c["losses"]))

    path = Path(__file__).resolve().with_name("training.json")
    with open(path, "w") as f:
        json.dump({"generator": "generate_training.py", "torch": torch.__version__, "cases": cases}, f, indent=1, allow_nan=False)
        f.write("\n")
    print(f"wrote {len(cases)} training runs to {path}")


if __name__ == "__main__":
    main()
