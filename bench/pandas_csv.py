#!/usr/bin/env python3
"""pandas side of `dotnet run -c Release --project bench/Backprop.Bench -- csv`.

usage: pandas_csv.py make CSV DATA_DIR   write Fashion-MNIST's 60,000 training images as a CSV (784 pixel columns 0-255
                                         and a label column), the file both sides then load
       pandas_csv.py load CSV            time pandas.read_csv and the conversion of the features to a float32 array
                                         (what a training script does before torch.from_numpy); prints {"seconds": s}
"""
import gzip, json, sys, time


def make(path, folder):
    import numpy as np

    def idx(name):
        with gzip.open(f"{folder}/{name}", "rb") as f:
            data = f.read()
        dims = data[3]
        shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
        return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)

    images = idx("train-images-idx3-ubyte.gz").reshape(-1, 784)
    labels = idx("train-labels-idx1-ubyte.gz")
    with open(path, "w") as f:
        f.write(",".join([f"p{i}" for i in range(784)] + ["label"]) + "\n")
        for row, label in zip(images, labels):
            f.write(",".join(map(str, row.tolist())) + f",{label}\n")
    print(json.dumps({"rows": int(images.shape[0])}))


def load(path):
    import numpy as np
    import pandas as pd
    start = time.perf_counter()
    frame = pd.read_csv(path)
    features = frame.drop(columns=["label"]).to_numpy(dtype=np.float32)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "rows": int(features.shape[0]), "pandas": pd.__version__}))


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3])
    else:
        load(sys.argv[2])
