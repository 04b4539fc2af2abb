#!/usr/bin/env python3
"""Reference trajectories from torch.optim: optimizer steps on given gradients, LR schedules, gradient clipping.

Writes optimizers.json next to this file (see README.md). Regenerate with
    python3 tests/Backprop.Tests/Golden/generate_optimizers.py
"""
import json
import math
import random
from pathlib import Path

import torch

torch.set_default_dtype(torch.float64)
rng = random.Random(20240603)
SHAPES = [[3, 4], [4]]
STEPS = 5


def values(shape, scale=1.0):
    return torch.tensor([rng.uniform(-scale, scale) for _ in range(math.prod(shape))]).reshape(shape)


def flat(t):
    return t.detach().flatten().tolist()


def make_optimizer(kind, params, lr, momentum, weight_decay, betas, eps):
    if kind in ("sgd", "momentum", "nesterov"):
        return torch.optim.SGD(params, lr=lr, momentum=momentum, dampening=0.0,
                               weight_decay=weight_decay, nesterov=kind == "nesterov")
    optimizer = torch.optim.Adam if kind == "adam" else torch.optim.AdamW
    return optimizer(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)


def trajectory(name, kind, lr, momentum=0.0, weight_decay=0.0, betas=(0.9, 0.999), eps=1e-8,
               grad_scale=1.0, cosine_t_max=None, clip_max_norm=None):
    """Run STEPS optimizer steps from random start values with random given gradients, recording each step."""
    params = [values(s).requires_grad_(True) for s in SHAPES]
    case = {"name": name, "optimizer": kind, "lr": lr, "momentum": momentum, "weight_decay": weight_decay,
            "betas": list(betas), "eps": eps,
            "initial": [{"shape": s, "values": flat(p)} for s, p in zip(SHAPES, params)]}
    optimizer = make_optimizer(kind, params, lr, momentum, weight_decay, betas, eps)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=cosine_t_max) if cosine_t_max else None
    grads, expected, lrs, norms = [], [], [], []
    for step in range(STEPS):
        scale = grad_scale[step] if isinstance(grad_scale, list) else grad_scale
        step_grads = [values(s, scale) for s in SHAPES]
        grads.append([flat(g) for g in step_grads])
        for p, g in zip(params, step_grads):
            p.grad = g.clone()
        if clip_max_norm is not None:
            norms.append(torch.nn.utils.clip_grad_norm_(params, clip_max_norm).item())
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        if schedule:
            schedule.step()
        expected.append([flat(p) for p in params])
    case.update(gradients=grads, expected=expected)
    if cosine_t_max:
        case.update(schedule={"type": "cosine", "T_max": cosine_t_max, "eta_min": 0.0}, lrs=lrs)
    if clip_max_norm is not None:
        case.update(clip_max_norm=clip_max_norm, total_norms=norms)
    return case


def schedule(name, kind, epochs=6, base_lr=0.1, **kwargs):
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr)
    scheduler = {"step": torch.optim.lr_scheduler.StepLR,
                 "cosine": torch.optim.lr_scheduler.CosineAnnealingLR}[kind](optimizer, **kwargs)
    lrs = []
    for _ in range(epochs):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return {"name": name, "type": kind, "base_lr": base_lr, **kwargs, "lrs": lrs}


def clipping(name, scale, max_norm=1.0):
    grads = [values(s, scale) for s in SHAPES]
    before = [flat(g) for g in grads]
    params = [torch.zeros(s, requires_grad=True) for s in SHAPES]
    for p, g in zip(params, grads):
        p.grad = g
    total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type=2.0).item()
    return {"name": name, "max_norm": max_norm, "norm_type": 2.0,
            "gradients": [{"shape": s, "values": v} for s, v in zip(SHAPES, before)],
            "total_norm": total,
            "clipped": [{"shape": s, "values": flat(p.grad)} for s, p in zip(SHAPES, params)]}


def main():
    cases = [
        trajectory("sgd", "sgd", lr=0.1),
        trajectory("sgd_weight_decay", "sgd", lr=0.1, weight_decay=0.01),
        trajectory("momentum", "momentum", lr=0.1, momentum=0.9),
        trajectory("nesterov", "nesterov", lr=0.1, momentum=0.9),
        trajectory("adam", "adam", lr=0.01),
        trajectory("adam_weight_decay", "adam", lr=0.01, weight_decay=0.01),
        trajectory("adamw", "adamw", lr=0.01, weight_decay=0.01),
        trajectory("adamw_cosine_clip", "adamw", lr=0.01, weight_decay=0.01,
                   grad_scale=[0.6, 0.15, 0.6, 0.6, 0.15], cosine_t_max=5, clip_max_norm=1.0),
    ]
    combined = cases[-1]["total_norms"]
    assert min(combined) < 1.0 < max(combined), combined  # clipping both active and inactive

    schedules = [schedule("step_lr", "step", step_size=2, gamma=0.5),
                 schedule("cosine_annealing", "cosine", T_max=5, eta_min=0.0)]
    clips = [clipping("clip_above", 1.0), clipping("clip_below", 0.1)]
    assert clips[0]["total_norm"] > 1.0 > clips[1]["total_norm"]

    path = Path(__file__).resolve().with_name("optimizers.json")
    with open(path, "w") as f:
        json.dump({"generator": "generate_optimizers.py", "torch": torch.__version__,
                   "cases": cases, "schedules": schedules, "clipping": clips}, f, indent=1, allow_nan=False)
        f.write("\n")
    print(f"wrote {len(cases)} optimizer cases, {len(schedules)} schedules, {len(clips)} clipping cases to {path}")


if __name__ == "__main__":
    main()
