#!/usr/bin/env python3
"""Reference values for the CNN ops (conv2d, max/avg pooling, batch norm): forward output, the gradient of
sum(output * w) per input, and for batch norm the running statistics after the call.

Writes cnn_ops.json next to this file (see README.md). Regenerate with
    python3 tests/Backprop.Tests/Golden/generate_cnn_ops.py
"""
import json
import math
import random
from pathlib import Path

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
rng = random.Random(20240917)


def values(shape, lo=-2.0, hi=2.0):
    return torch.tensor([rng.uniform(lo, hi) for _ in range(math.prod(shape))]).reshape(shape)


def small_integers(shape):
    """Values from {0, 1, 2}: many ties inside pooling windows."""
    return torch.tensor([float(rng.randrange(3)) for _ in range(math.prod(shape))]).reshape(shape)


def tensor_json(t):
    return {"shape": list(t.shape), "values": t.detach().flatten().tolist()}


def case(name, op, fn, inputs, params, extra=None):
    inputs = [x.clone().requires_grad_(True) for x in inputs]
    out = fn(*inputs)
    w = values(list(out.shape))
    (out * w).sum().backward()
    entry = {"name": name, "op": op, "params": params, "inputs": [tensor_json(x) for x in inputs],
             "output": tensor_json(out), "w": tensor_json(w), "gradients": [tensor_json(x.grad) for x in inputs]}
    entry.update(extra or {})
    json.dumps(entry, allow_nan=False)
    return entry


def conv_case(n, c_in, c_out, h, w, kernel, stride, padding, bias=True):
    name = f"conv2d_{n}x{c_in}x{h}x{w}_out{c_out}_k{kernel}_s{stride}_p{padding}{'' if bias else '_nobias'}"
    inputs = [values([n, c_in, h, w]), values([c_out, c_in, kernel, kernel])] + ([values([c_out])] if bias else [])
    return case(name, "conv2d", lambda *t: F.conv2d(*t, stride=stride, padding=padding) if bias
                else F.conv2d(t[0], t[1], None, stride=stride, padding=padding),
                inputs, {"stride": stride, "padding": padding})


def pool_case(op, x, kernel, stride, suffix=""):
    fn = F.max_pool2d if op == "max_pool2d" else F.avg_pool2d
    name = f"{op}_{'x'.join(map(str, x.shape))}_k{kernel}_s{stride}{suffix}"
    return case(name, op, lambda t: fn(t, kernel, stride), [x], {"kernel": kernel, "stride": stride})


def batch_norm_case(shape, training, momentum=0.1, eps=1e-5):
    channels = shape[1]
    running_mean, running_var = values([channels], -0.5, 0.5), values([channels], 0.5, 2.0)
    before = {"running_mean": running_mean.tolist(), "running_var": running_var.tolist()}
    stats = [running_mean.clone(), running_var.clone()]  # F.batch_norm updates these in place
    name = f"batch_norm_{'train' if training else 'eval'}_{'x'.join(map(str, shape))}"
    entry = case(name, "batch_norm",
                 lambda x, weight, bias: F.batch_norm(x, stats[0], stats[1], weight, bias, training, momentum, eps),
                 [values(shape), values([channels], 0.5, 1.5), values([channels], -0.5, 0.5)],
                 {"training": training, "momentum": momentum, "eps": eps}, before)
    entry["running_mean_after"], entry["running_var_after"] = stats[0].tolist(), stats[1].tolist()
    return entry


def main():
    cases = [
        conv_case(1, 1, 1, 5, 5, 3, 1, 0),
        conv_case(2, 3, 4, 6, 5, 3, 2, 1),
        conv_case(2, 2, 3, 5, 7, 2, 1, 2, bias=False),
        conv_case(1, 2, 3, 4, 5, 1, 2, 0),
        pool_case("max_pool2d", values([2, 3, 6, 6]), 2, 2),
        pool_case("max_pool2d", values([1, 2, 7, 5]), 3, 2),
        pool_case("max_pool2d", small_integers([1, 2, 5, 6]), 2, 1, "_ties"),
        pool_case("avg_pool2d", values([2, 3, 6, 6]), 2, 2),
        pool_case("avg_pool2d", values([1, 2, 7, 5]), 3, 1),
        batch_norm_case([6, 3], training=True),
        batch_norm_case([2, 3, 4, 5], training=True),
        batch_norm_case([5, 4], training=False),
        batch_norm_case([2, 3, 3, 4], training=False),
    ]
    path = Path(__file__).resolve().with_name("cnn_ops.json")
    with open(path, "w") as f:
        json.dump({"generator": "generate_cnn_ops.py", "torch": torch.__version__, "cases": cases},
                  f, indent=1, allow_nan=False)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {path}")


if __name__ == "__main__":
    main()
