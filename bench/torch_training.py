#!/usr/bin/env python3
"""PyTorch side of `dotnet run -c Release --project bench/Backprop.Bench -- train`.

Workloads (same as the C# side):
  notebook  the seed notebook's 3-2-1 network, one SGD step (lr 0.1, squared error), float64; seconds per step
  mlp       one epoch of MLP training on Fashion-MNIST, SGD momentum 0.9 lr 0.05, softmax cross-entropy,
            float32; argv: hidden widths (e.g. 256,128) and batch size; seconds per epoch
  cnn       one epoch of a small CNN on Fashion-MNIST (conv 1→16 3×3 pad 1, ReLU, max-pool 2, conv 16→32 3×3
            pad 1, ReLU, max-pool 2, dense 1568→10), same optimizer and loss; argv: batch size
  e2e       what `backprop train` does end to end, for the bench's `cli` mode, which times the whole process: read the
            gzip IDX files, standardise each pixel with the training set's mean and deviation (float64), train an MLP
            with SGD Nesterov momentum 0.9 lr 0.05, report the test set's loss and accuracy after every epoch;
            argv: hidden widths, batch size, epochs, data folder; prints {"test_accuracy": ...}

usage: torch_training.py notebook REPS | torch_training.py mlp WIDTHS BATCH REPS DATA_DIR
       torch_training.py cnn BATCH REPS DATA_DIR | torch_training.py e2e WIDTHS BATCH EPOCHS DATA_DIR
Prints {"seconds": [...]} (one entry per repetition).
"""
import gzip, json, sys, time

import numpy as np
import torch

torch.set_num_threads(2)


def notebook(reps):
    w1 = torch.tensor([[0.1, 0.1, 0.6], [0.16, 0.1, 0.5]], dtype=torch.float64, requires_grad=True)
    b1 = torch.tensor([-4.0, -2.0], dtype=torch.float64, requires_grad=True)
    w2 = torch.tensor([[0.3, 0.4]], dtype=torch.float64, requires_grad=True)
    b2 = torch.tensor([12.0], dtype=torch.float64, requires_grad=True)
    x = torch.tensor([7.0, 2.0, 25.0], dtype=torch.float64)
    y = torch.tensor([85.0], dtype=torch.float64)
    params = [w1, b1, w2, b2]
    optimizer = torch.optim.SGD(params, lr=0.1)
    steps = 2000
    seconds = []
    for _ in range(reps):
        start = time.perf_counter()
        for _ in range(steps):
            optimizer.zero_grad()
            prediction = torch.nn.functional.linear(torch.sigmoid(torch.nn.functional.linear(x, w1, b1)), w2, b2)
            loss = ((prediction - y) ** 2).sum()
            loss.backward()
            optimizer.step()
        seconds.append((time.perf_counter() - start) / steps)
    return seconds


def read_idx(path):
    with gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def fashion(folder, shape):
    images = read_idx(f"{folder}/train-images-idx3-ubyte.gz").reshape(60000, *shape).astype(np.float32) / 255
    labels = read_idx(f"{folder}/train-labels-idx1-ubyte.gz").astype(np.int64)
    return torch.from_numpy(images), torch.from_numpy(labels)


def mlp(widths, batch, reps, folder):
    x_all, y_all = fashion(folder, [-1])
    torch.manual_seed(0)
    layers, width = [], x_all.shape[1]
    for hidden in widths:
        layers += [torch.nn.Linear(width, hidden), torch.nn.ReLU()]
        width = hidden
    return epochs(torch.nn.Sequential(*layers, torch.nn.Linear(width, 10)), x_all, y_all, batch, reps)


def cnn(batch, reps, folder):
    x_all, y_all = fashion(folder, [1, 28, 28])
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(32 * 7 * 7, 10))
    return epochs(model, x_all, y_all, batch, reps)


def epochs(model, x_all, y_all, batch, reps):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    loss_fn = torch.nn.CrossEntropyLoss()
    seconds = []
    for _ in range(reps):
        order = torch.randperm(x_all.shape[0])
        start = time.perf_counter()
        for i in range(0, x_all.shape[0], batch):
            index = order[i:i + batch]
            optimizer.zero_grad()
            loss = loss_fn(model(x_all[index]), y_all[index])
            loss.backward()
            optimizer.step()
        seconds.append(time.perf_counter() - start)
    return seconds


def end_to_end(widths, batch, epoch_count, folder):
    def images(name):
        return read_idx(f"{folder}/{name}-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255

    def labels(name):
        return torch.from_numpy(read_idx(f"{folder}/{name}-labels-idx1-ubyte.gz").astype(np.int64))

    x_train, x_test = images("train"), images("t10k")
    mean = x_train.mean(axis=0, dtype=np.float64)
    deviation = x_train.std(axis=0, dtype=np.float64)
    deviation[deviation == 0] = 1
    x_train = torch.from_numpy(((x_train - mean) / deviation).astype(np.float32))
    x_test = torch.from_numpy(((x_test - mean) / deviation).astype(np.float32))
    y_train, y_test = labels("train"), labels("t10k")
    torch.manual_seed(0)
    layers, width = [], 784
    for hidden in widths:
        layers += [torch.nn.Linear(width, hidden), torch.nn.ReLU()]
        width = hidden
    model = torch.nn.Sequential(*layers, torch.nn.Linear(width, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
    loss_fn = torch.nn.CrossEntropyLoss()
    for _ in range(epoch_count):
        model.train()
        order = torch.randperm(x_train.shape[0])
        for i in range(0, x_train.shape[0], batch):
            index = order[i:i + batch]
            optimizer.zero_grad()
            loss_fn(model(x_train[index]), y_train[index]).backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            logits = model(x_test)
            test_loss = loss_fn(logits, y_test).item()
            accuracy = (logits.argmax(dim=1) == y_test).float().mean().item()
    return {"test_loss": test_loss, "test_accuracy": accuracy}


if __name__ == "__main__":
    if sys.argv[1] == "e2e":
        summary = end_to_end([int(w) for w in sys.argv[2].split(",")], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
        print(json.dumps({**summary, "torch": torch.__version__}))
        sys.exit(0)
    if sys.argv[1] == "notebook":
        result = notebook(int(sys.argv[2]))
    elif sys.argv[1] == "cnn":
        result = cnn(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    else:
        result = mlp([int(w) for w in sys.argv[2].split(",")], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    print(json.dumps({"seconds": result, "torch": torch.__version__}))
