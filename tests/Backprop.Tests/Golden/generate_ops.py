#!/usr/bin/env python3
"""Reference values for single tensor operations: forward output and the gradient of sum(output * w) per input.

Writes ops.json next to this file (see README.md). Regenerate with
    python3 tests/Backprop.Tests/Golden/generate_ops.py
"""
import json
import math
import random
from pathlib import Path

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
rng = random.Random(20240602)


def values(shape, lo=-2.0, hi=2.0, away_from_zero=0.0):
    """Random float64 tensor; with away_from_zero, every |value| >= that (random sign)."""
    n = math.prod(shape)
    if away_from_zero:
        flat = [rng.choice((-1, 1)) * rng.uniform(away_from_zero, hi) for _ in range(n)]
    else:
        flat = [rng.uniform(lo, hi) for _ in range(n)]
    return torch.tensor(flat).reshape(shape)


def softplus(z):  # exact log(1 + e^z), without F.softplus's linear cut-over above 20
    return z.clamp(min=0) + torch.log1p(torch.exp(-z.abs()))


def max_reduce(x, axis):
    return x.max() if axis is None else x.max(dim=axis).values


def reduce(fn):
    return lambda x, axis: fn(x) if axis is None else fn(x, dim=axis)


def tensor_json(t):
    return {"shape": list(t.shape), "values": t.detach().flatten().tolist()}


def case(name, op, fn, inputs, params=None):
    inputs = [x.clone().requires_grad_(True) for x in inputs]
    out = fn(*inputs)
    w = values(list(out.shape))
    (out * w).sum().backward()
    entry = {"name": name, "op": op, "params": params or {}, "inputs": [tensor_json(x) for x in inputs],
             "output": tensor_json(out), "w": tensor_json(w), "gradients": [tensor_json(x.grad) for x in inputs]}
    json.dumps(entry, allow_nan=False)
    return entry


def main():
    cases = []
    binary = {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div}
    for op, fn in binary.items():
        for a, b in [([2, 3], [2, 3]), ([3, 4], [4]), ([2, 1, 4], [3, 1]), ([1], [2, 3]), ([2, 3], [2, 1])]:
            denominator = values(b, hi=2.0, away_from_zero=0.5) if op == "div" else values(b)
            cases.append(case(f"{op}_{'x'.join(map(str, a))}_{'x'.join(map(str, b))}", op, fn,
                              [values(a), denominator]))

    cases.append(case("matmul_2x3_3x4", "matmul", torch.matmul, [values([2, 3]), values([3, 4])]))
    cases.append(case("matmul_2x2x3_2x3x4", "matmul", torch.matmul, [values([2, 2, 3]), values([2, 3, 4])]))

    cases.append(case("exp", "exp", torch.exp, [values([2, 3])]))
    cases.append(case("log", "log", torch.log, [values([2, 3], 0.1, 3.0)]))
    cases.append(case("sqrt", "sqrt", torch.sqrt, [values([2, 3], 0.1, 3.0)]))
    cases.append(case("pow_3", "pow", lambda x: x ** 3, [values([2, 3])], {"exponent": 3.0}))
    cases.append(case("pow_0.5", "pow", lambda x: x ** 0.5, [values([2, 3], 0.1, 3.0)], {"exponent": 0.5}))

    reductions = {"sum": reduce(torch.sum), "mean": reduce(torch.mean), "max": max_reduce}
    for op, fn in reductions.items():
        for axis in (0, 1, -1, None):
            x = values([2, 3, 4])  # continuous random values: no ties for max
            cases.append(case(f"{op}_axis_{'all' if axis is None else axis}", op, lambda x, a=axis: fn(x, a), [x],
                              {"axis": axis, "keepdim": False}))

    cases.append(case("log_softmax_last", "log_softmax", lambda x: torch.log_softmax(x, dim=-1),
                      [values([3, 4], -3.0, 3.0)], {"axis": -1}))
    cases.append(case("log_softmax_last_large", "log_softmax", lambda x: torch.log_softmax(x, dim=-1),
                      [torch.tensor([[1000.0, -1000.0, 0.5, 999.0], [-800.0, -801.5, -900.0, -799.0]])], {"axis": -1}))

    activations = {
        "identity": lambda z: z * 1.0, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
        "leaky_relu": lambda z: F.leaky_relu(z, 0.01), "softplus": softplus, "gelu": F.gelu,
    }
    large = torch.tensor([[-1000.0, -700.0, -50.0, -20.5, 20.5, 50.0, 700.0, 1000.0]])
    for op, fn in activations.items():
        params = {"slope": 0.01} if op == "leaky_relu" else {}
        cases.append(case(op, op, fn, [values([2, 5], away_from_zero=0.01, hi=4.0)], params))
        cases.append(case(f"{op}_large", op, fn, [large], params))

    path = Path(__file__).resolve().with_name("ops.json")
    with open(path, "w") as f:
        json.dump({"generator": "generate_ops.py", "torch": torch.__version__, "cases": cases},
                  f, indent=1, allow_nan=False)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {path}")


if __name__ == "__main__":
    main()
