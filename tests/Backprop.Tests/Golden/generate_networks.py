#!/usr/bin/env python3
"""Reference values for `backprop explain`: dense networks, one forward/backward pass and one SGD step each.

Writes networks.json next to this file (see README.md). Regenerate with
    python3 tests/Backprop.Tests/Golden/generate_networks.py
"""
import json
import math
import random
from pathlib import Path

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)

ACTIVATIONS = ["identity", "sigmoid", "tanh", "relu", "leaky_relu", "softplus", "gelu"]
LOSSES = ["squared_error", "mse", "cross_entropy", "binary_cross_entropy"]

NOTEBOOK = {
    "input": [7.0, 2.0, 25.0], "target": [85.0], "loss": "squared_error", "learning_rate": 0.1,
    "layers": [
        {"type": "dense", "activation": "sigmoid", "weights": [[0.1, 0.1, 0.6], [0.16, 0.1, 0.5]], "bias": [-4.0, -2.0]},
        {"type": "dense", "activation": "identity", "weights": [[0.3, 0.4]], "bias": [12.0]},
    ],
}


def activate(name, z):
    if name == "identity":
        return z
    if name == "sigmoid":
        return torch.sigmoid(z)
    if name == "tanh":
        return torch.tanh(z)
    if name == "relu":
        return torch.relu(z)
    if name == "leaky_relu":
        return F.leaky_relu(z, 0.01)
    if name == "softplus":  # exact log(1 + e^z); F.softplus returns z itself above its threshold of 20
        return z.clamp(min=0) + torch.log1p(torch.exp(-z.abs()))
    if name == "gelu":
        return F.gelu(z)  # exact erf form: z * Phi(z)
    raise ValueError(name)


def loss_of(name, out, target):
    if name == "squared_error":
        return ((out - target) ** 2).sum()
    if name == "mse":
        return ((out - target) ** 2).mean()
    if name == "cross_entropy":
        return F.cross_entropy(out, target)  # log-softmax of logits, mean over samples
    if name == "binary_cross_entropy":
        return F.binary_cross_entropy_with_logits(out, target)  # mean over all elements
    raise ValueError(name)


def explain(model):
    """forward / gradients / updated for one model file, laid out as `backprop explain --format json`."""
    batch = isinstance(model["input"][0], list)
    x = torch.tensor(model["input"] if batch else [model["input"]])
    target = model["target"] if batch else [model["target"]]
    target = torch.tensor(target, dtype=torch.long if model["loss"] == "cross_entropy" else torch.float64)
    params = [(torch.tensor(l["weights"], requires_grad=True), torch.tensor(l["bias"], requires_grad=True))
              for l in model["layers"]]
    a, layers = x, []
    for spec, (w, b) in zip(model["layers"], params):
        z = a @ w.T + b
        a = activate(spec["activation"], z)
        layers.append((z, a))
    loss = loss_of(model["loss"], a, target)
    loss.backward()

    def rows(t):  # a batch stays a list of per-sample lists; a single sample is one plain list
        return t.tolist() if batch else t[0].tolist()

    lr = model["learning_rate"]
    return {
        "forward": {"layers": [{"z": rows(z), "a": rows(a)} for z, a in layers],
                    "prediction": rows(a), "loss": loss.item()},
        "gradients": [{"weights": w.grad.tolist(), "bias": b.grad.tolist()} for w, b in params],
        "updated": [{"weights": (w - lr * w.grad).tolist(), "bias": (b - lr * b.grad).tolist()}
                    for w, b in params],
    }


def dense(activation, weights, bias):
    return {"type": "dense", "activation": activation, "weights": weights, "bias": bias}


def random_model(rng, loss, out_activation, batch):
    u = lambda lo, hi: round(rng.uniform(lo, hi), 4)
    depth = rng.randint(1, 4)
    widths = [rng.randint(1, 6) for _ in range(depth)]
    widths.append(rng.randint(2, 6) if loss == "cross_entropy" else rng.randint(1, 6))
    acts = [rng.choice(ACTIVATIONS) for _ in range(depth - 1)] + [out_activation]
    layers = [dense(act, [[u(-1, 1) for _ in range(n_in)] for _ in range(n_out)], [u(-1, 1) for _ in range(n_out)])
              for act, n_in, n_out in zip(acts, widths, widths[1:])]
    n_out = widths[-1]

    def sample_target():
        if loss == "cross_entropy":
            return rng.randrange(n_out)
        if loss == "binary_cross_entropy":
            return [float(rng.randint(0, 1)) for _ in range(n_out)]
        return [u(-2, 2) for _ in range(n_out)]

    samples = rng.randint(2, 4) if batch else 1
    inputs = [[u(-2, 2) for _ in range(widths[0])] for _ in range(samples)]
    targets = [sample_target() for _ in range(samples)]
    return {"input": inputs if batch else inputs[0], "target": targets if batch else targets[0], "loss": loss,
            "learning_rate": rng.choice([0.01, 0.05, 0.1, 0.5]), "layers": layers}


def well_posed(model, result):
    """Every number finite, and no relu/leaky_relu pre-activation close enough to 0 for rounding to flip its side."""
    for spec, layer in zip(model["layers"], result["forward"]["layers"]):
        if spec["activation"] in ("relu", "leaky_relu"):
            if any(abs(v) < 1e-3 for v in torch.tensor(layer["z"]).flatten().tolist()):
                return False
    json.dumps(result, allow_nan=False)  # raises on NaN/Inf
    return True


def edge_cases():
    """Hand-made networks: saturated/huge pre-activations (stable sigmoid, softplus, CE, BCE), relu sides, shapes."""
    return [
        ("edge_sigmoid_saturated", {
            "input": [1.0, -1.0], "target": [0.5], "loss": "mse", "learning_rate": 0.1,
            "layers": [dense("sigmoid", [[50.0, 0.0], [0.0, 700.0], [-1000.0, 0.0], [0.0, -40.0]], [0.5, -0.5, 0.0, 0.25]),
                       dense("identity", [[0.3, -0.2, 0.1, 0.4]], [0.1])]}),
        ("edge_softplus_large", {
            "input": [[1.0], [-1.0], [0.05]], "target": [[1000.0, 0.0], [0.0, 1.0], [50.0, 2.0]],
            "loss": "squared_error", "learning_rate": 0.001,
            "layers": [dense("softplus", [[1000.0], [-50.0], [20.5]], [0.25, 0.5, 0.0]),
                       dense("softplus", [[1.0, 0.0, 0.001], [-1.0, 0.5, 0.0]], [0.0, -0.5])]}),
        ("edge_sigmoid_output_large", {
            "input": [[2.0, 1.0], [-2.0, -1.0]], "target": [[1.0, 0.0], [0.0, 1.0]], "loss": "mse", "learning_rate": 0.5,
            "layers": [dense("sigmoid", [[400.0, 10.0], [-25.0, 1.0]], [0.0, -0.5])]}),
        ("edge_cross_entropy_large_logits", {
            "input": [[1.0, 0.5], [-1.0, 0.25], [0.5, -1.0]], "target": [0, 1, 2], "loss": "cross_entropy",
            "learning_rate": 0.01,
            "layers": [dense("identity", [[1000.0, -2.0], [-800.0, 50.0], [3.0, 600.0]], [0.0, 0.5, -0.5])]}),
        ("edge_cross_entropy_single_large", {
            "input": [2.0, -3.0], "target": 1, "loss": "cross_entropy", "learning_rate": 0.1,
            "layers": [dense("tanh", [[40.0, 2.0], [-30.0, 1.0], [0.5, 0.25]], [0.0, 0.0, 0.1]),
                       dense("identity", [[300.0, -200.0, 1.0], [-150.0, 100.0, 2.0]], [0.0, 0.0])]}),
        ("edge_bce_large_logits", {
            "input": [[1.0], [-1.0]], "target": [[1.0, 0.0, 1.0], [1.0, 0.0, 0.0]], "loss": "binary_cross_entropy",
            "learning_rate": 0.01,
            "layers": [dense("identity", [[800.0], [-60.0], [1000.0]], [0.5, -0.5, 0.0])]}),
        ("edge_gelu_tanh_large", {
            "input": [[3.0, -2.0], [-3.0, 2.0]], "target": [[1.0], [-1.0]], "loss": "squared_error",
            "learning_rate": 0.01,
            "layers": [dense("tanh", [[20.0, 1.0], [-1.0, 30.0]], [0.5, 0.0]),
                       dense("gelu", [[25.0, -25.0]], [0.5])]}),
        ("edge_relu_both_sides", {
            "input": [[0.5, -0.25, 1.0], [-0.5, 0.75, 0.1]], "target": [[0.2, -0.1], [0.0, 0.3]], "loss": "mse",
            "learning_rate": 0.1,
            "layers": [dense("relu", [[0.1, 0.2, -0.3], [-0.4, 0.1, 0.05], [0.3, 0.3, 0.3]], [0.01, -0.02, -0.1]),
                       dense("leaky_relu", [[1.0, -1.0, 0.5], [-0.5, 0.25, -1.0]], [-0.05, 0.02])]}),
        ("edge_width_one_deep", {
            "input": [0.75], "target": [0.25], "loss": "squared_error", "learning_rate": 0.1,
            "layers": [dense(act, [[w]], [b]) for act, w, b in
                       [("tanh", 1.5, 0.1), ("softplus", -0.8, 0.3), ("gelu", 1.2, -0.4), ("sigmoid", 2.0, 0.5)]]}),
        ("edge_batch_of_one", {
            "input": [[0.3, -0.7, 1.1]], "target": [2], "loss": "cross_entropy", "learning_rate": 0.1,
            "layers": [dense("relu", [[0.5, -0.5, 0.25], [-0.3, 0.8, 0.1]], [0.1, 0.2]),
                       dense("identity", [[1.0, -1.0], [0.5, 0.5], [-0.25, 2.0]], [0.0, 0.1, -0.1])]}),
    ]


def main():
    rng = random.Random(20240601)
    cases = [("notebook", NOTEBOOK)]
    # 28 random cases cover every (loss, output activation) pair; 4 more add variety.
    for i in range(32):
        loss, out_act, batch = LOSSES[i % 4], ACTIVATIONS[i % 7], (i // 4) % 2 == 1
        while True:
            model = random_model(rng, loss, out_act, batch)
            if well_posed(model, explain(model)):
                break
        cases.append((f"random_{i:02d}_{loss}_{out_act}_{'batch' if batch else 'single'}", model))
    cases += edge_cases()

    out = []
    for name, model in cases:
        result = explain(model)
        assert well_posed(model, result), name
        out.append({"name": name, "model": model, **result})

    notebook = out[0]["forward"]
    assert math.isclose(notebook["loss"], 5227.290720031249, rel_tol=1e-12), notebook["loss"]
    hidden = {l["activation"] for _, m in cases for l in m["layers"][:-1]}
    depths = {len(m["layers"]) for _, m in cases}
    assert hidden == set(ACTIVATIONS) and depths == {1, 2, 3, 4}, (hidden, depths)

    path = Path(__file__).resolve().with_name("networks.json")
    with open(path, "w") as f:
        json.dump({"generator": "generate_networks.py", "torch": torch.__version__, "cases": out},
                  f, indent=1, allow_nan=False)
        f.write("\n")
    print(f"wrote {len(out)} cases to {path}")


if __name__ == "__main__":
    main()
