#!/usr/bin/python3
"""Backprop's `train` defaults against scikit-learn's MLP defaults on small tabular data sets.

For every data set bundled with scikit-learn (no download) it writes train/test CSVs for a fixed,
seeded 80/20 split (stratified for classification; the same files for both tools), then

  * scikit-learn: Pipeline(StandardScaler, MLPClassifier | MLPRegressor) with default settings except
    random_state=SEED and max_iter=1000, fitted on train, scored on test;
  * Backprop:     backprop train --data train.csv --test test.csv --seed SEED --format json
    with its defaults (no tuning flags; features are standardised by the CLI itself),

and prints a Markdown table of the mean test metric over the seeds and the mean wall time per run.

Run with Debian's interpreter, which has scikit-learn 1.2.1:

  /usr/bin/python3 bench/tabular/compare_sklearn.py [--backprop /tmp/tabular-bp/backprop] [--seeds 0,1,2]

Extra Backprop configurations (e.g. candidate defaults) can be compared side by side:

  --config 'e100=--epochs 100' --config 'lr3e-3=--lr 0.003 --epochs 100'

Each --config adds a Backprop column set; `--no-defaults` drops the plain-defaults column,
`--no-sklearn` skips scikit-learn. `--builtin-digits` also times `backprop train` with no --data
(the built-in digits demo) for every configuration. `--json FILE` saves every per-seed result.
"""
import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
from sklearn import datasets
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, mean_squared_error, r2_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# --------------------------------------------------------------------------------------------- data

def _bunch(loader, target_column):
    b = loader()
    names = getattr(b, "target_names", None)
    y = b.target
    if names is not None and len(names) > 0 and not np.issubdtype(np.asarray(names).dtype, np.number):
        y = np.asarray(names)[b.target]  # string class names, e.g. iris species
    return b.data, y, list(b.feature_names), target_column


def load_iris():
    return _bunch(datasets.load_iris, "species")


def load_wine():
    return _bunch(datasets.load_wine, "cultivar")


def load_breast_cancer():
    return _bunch(datasets.load_breast_cancer, "diagnosis")


def load_digits():
    b = datasets.load_digits()
    return b.data, b.target, list(b.feature_names), "digit"


def load_diabetes():
    # Unscaled features (age in years, bmi, ...), raw target: disease progression after one year.
    b = datasets.load_diabetes(scaled=False)
    return b.data, b.target, list(b.feature_names), "progression"


def load_friedman1():
    X, y = datasets.make_friedman1(n_samples=500, n_features=10, noise=1.0, random_state=0)
    return X, y, [f"x{i}" for i in range(X.shape[1])], "y"


def load_linnerud():
    b = datasets.load_linnerud()  # 20 rows: three exercises -> predict one physiological measure (Weight)
    return b.data, b.target[:, 0], list(b.feature_names), "weight"


DATASETS = {
    # name: (loader, task)
    "iris": (load_iris, "classification"),
    "wine": (load_wine, "classification"),
    "breast_cancer": (load_breast_cancer, "classification"),
    "digits": (load_digits, "classification"),
    "diabetes": (load_diabetes, "regression"),
    "friedman1": (load_friedman1, "regression"),
    "linnerud": (load_linnerud, "regression"),
}
DEFAULT_DATASETS = "iris,wine,breast_cancer,digits,diabetes,friedman1"


def _column(name):
    return re.sub(r"[^0-9A-Za-z]+", "_", str(name)).strip("_") or "x"


def write_csv(path, X, y, feature_names, target_column):
    header = [_column(n) for n in feature_names] + [_column(target_column)]
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(",".join(header) + "\n")
        for row, target in zip(X, y):
            cells = [repr(float(v)) if not float(v).is_integer() else str(int(v)) for v in row]
            t = target if isinstance(target, str) else (str(int(target)) if float(target).is_integer() else repr(float(target)))
            f.write(",".join(cells + [str(t)]) + "\n")


def split(X, y, task, seed):
    return train_test_split(X, y, test_size=0.2, random_state=seed,
                            stratify=y if task == "classification" else None)


# ------------------------------------------------------------------------------------------ runners

def run_sklearn(task, X_train, y_train, X_test, y_test, seed):
    estimator = (MLPClassifier if task == "classification" else MLPRegressor)(random_state=seed, max_iter=1000)
    model = make_pipeline(StandardScaler(), estimator)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X_train, y_train)
    predicted = model.predict(X_test)
    seconds = time.perf_counter() - start
    result = {"wall_seconds": seconds, "iterations": int(model[-1].n_iter_)}
    if task == "classification":
        result["accuracy"] = float(accuracy_score(y_test, predicted))
    else:
        result["rmse"] = float(np.sqrt(mean_squared_error(y_test, predicted)))
        result["r2"] = float(r2_score(y_test, predicted))
    return result


def run_backprop(command, task, train_csv, test_csv, seed, extra):
    args = command + ["train"]
    if train_csv is not None:
        args += ["--data", train_csv, "--test", test_csv]
    args += ["--seed", str(seed), "--format", "json"] + extra
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{shlex.join(args)} exited {done.returncode}: {done.stderr.strip()}")
    report = json.loads(done.stdout)
    result = {"wall_seconds": seconds, "train_seconds": report["train_seconds"], "epochs_run": len(report.get("epochs", []))}
    if task == "classification":
        if "test_accuracy" not in report:
            raise RuntimeError(f"{shlex.join(args)}: expected a classification result, got {sorted(report)}")
        result["accuracy"] = report["test_accuracy"]
    else:
        if "test_rmse" not in report:
            raise RuntimeError(f"{shlex.join(args)}: expected a regression result, got {sorted(report)}")
        result["rmse"] = report["test_rmse"]
        result["r2"] = report["test_r2"]
    return result


def find_backprop(explicit):
    if explicit:
        return shlex.split(explicit)
    for candidate in ("/tmp/tabular-bp/backprop", os.path.join(REPO, "out", "backprop")):
        if os.access(candidate, os.X_OK):
            return [candidate]
    on_path = shutil.which("backprop")
    if on_path:
        return [on_path]
    print("note: no published backprop found; using `dotnet run` (slower start-up, wall times include it)", file=sys.stderr)
    return ["dotnet", "run", "-c", "Release", "--project", os.path.join(REPO, "src", "Backprop.Cli"), "--"]


# ------------------------------------------------------------------------------------------- report

def mean(results, key):
    return float(np.mean([r[key] for r in results]))


def metric_cells(task, results):
    if task == "classification":
        return f"{mean(results, 'accuracy'):.4f}"
    return f"{mean(results, 'rmse'):.4g} / {mean(results, 'r2'):.3f}"


def seconds_cell(results):
    return f"{mean(results, 'wall_seconds'):.2f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backprop", help="the backprop executable (or a quoted command); default /tmp/tabular-bp/backprop, else `dotnet run`")
    parser.add_argument("--seeds", default="0,1,2", help="comma-separated split/model seeds (default 0,1,2)")
    parser.add_argument("--datasets", default=DEFAULT_DATASETS, help=f"comma-separated, from {','.join(DATASETS)} (default {DEFAULT_DATASETS})")
    parser.add_argument("--config", action="append", default=[], metavar="NAME=FLAGS",
                        help="an extra Backprop configuration: a name and the train flags it adds (repeatable)")
    parser.add_argument("--no-defaults", action="store_true", help="don't run Backprop with plain defaults")
    parser.add_argument("--no-sklearn", action="store_true", help="don't run scikit-learn")
    parser.add_argument("--builtin-digits", action="store_true", help="also run `backprop train` on the built-in digits for each configuration")
    parser.add_argument("--csv-dir", help="keep the generated CSVs here (default: a temporary folder)")
    parser.add_argument("--json", help="write every per-seed result to this JSON file")
    args = parser.parse_args()

    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    names = [n.strip() for n in args.datasets.split(",") if n.strip()]
    for n in names:
        if n not in DATASETS:
            parser.error(f"unknown data set {n!r}")
    configs = [] if args.no_defaults else [("defaults", [])]
    for spec in args.config:
        name, _, flags = spec.partition("=")
        configs.append((name.strip(), shlex.split(flags)))
    command = find_backprop(args.backprop)
    workdir = args.csv_dir or tempfile.mkdtemp(prefix="bp-tabular-")
    os.makedirs(workdir, exist_ok=True)

    all_results = {}
    rows = []
    for name in names:
        loader, task = DATASETS[name]
        X, y, feature_names, target_column = loader()
        per_tool = {"sklearn": [], **{c: [] for c, _ in configs}}
        for seed in seeds:
            X_train, X_test, y_train, y_test = split(X, y, task, seed)
            train_csv = os.path.join(workdir, f"{name}-s{seed}-train.csv")
            test_csv = os.path.join(workdir, f"{name}-s{seed}-test.csv")
            write_csv(train_csv, X_train, y_train, feature_names, target_column)
            write_csv(test_csv, X_test, y_test, feature_names, target_column)
            if not args.no_sklearn:
                per_tool["sklearn"].append(run_sklearn(task, X_train, y_train, X_test, y_test, seed))
            for config, flags in configs:
                per_tool[config].append(run_backprop(command, task, train_csv, test_csv, seed, flags))
            print(f"  {name} seed {seed} done", file=sys.stderr)
        all_results[name] = {"task": task, "rows": int(X.shape[0]), "features": int(X.shape[1]), "results": per_tool}
        rows.append((name, X.shape, task, per_tool))

    if args.builtin_digits:
        per_tool = {c: [] for c, _ in configs}
        for seed in seeds:
            for config, flags in configs:
                per_tool[config].append(run_backprop(command, "classification", None, None, seed, flags))
        all_results["builtin_digits"] = {"task": "classification", "results": per_tool}

    # The table.
    tools = ([] if args.no_sklearn else ["sklearn"]) + [c for c, _ in configs]
    label = {"sklearn": "scikit-learn"}
    header = ["data set", "rows×features", "task", "metric"]
    header += [f"{label.get(t, 'Backprop ' + t)}" for t in tools]
    header += [f"{label.get(t, 'Backprop ' + t)} s/run" for t in tools]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for name, shape, task, per_tool in rows:
        metric = "accuracy" if task == "classification" else "RMSE / R²"
        cells = [name, f"{shape[0]}×{shape[1]}", task, metric]
        cells += [metric_cells(task, per_tool[t]) for t in tools]
        cells += [seconds_cell(per_tool[t]) for t in tools]
        print("| " + " | ".join(cells) + " |")
    if args.builtin_digits:
        per_tool = all_results["builtin_digits"]["results"]
        cells = ["built-in digits (`backprop train`)", "1797×64", "classification", "accuracy"]
        cells += ["—" if t == "sklearn" else metric_cells("classification", per_tool[t]) for t in tools]
        cells += ["—" if t == "sklearn" else f"{seconds_cell(per_tool[t])} ({mean(per_tool[t], 'train_seconds'):.2f} train)" for t in tools]
        print("| " + " | ".join(cells) + " |")
    print()
    print(f"Mean over seeds {','.join(map(str, seeds))}; test split 20% (stratified for classification). "
          "s/run: wall seconds per fit+predict (scikit-learn, in-process) or per `backprop train` process (includes .NET start-up and CSV loading).")
    if configs and any(flags for _, flags in configs):
        print()
        for config, flags in configs:
            print(f"- Backprop {config}: `{shlex.join(flags) or '(no flags: defaults)'}`")

    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"seeds": seeds, "configs": {c: f for c, f in configs}, "data": all_results}, f, indent=1)


if __name__ == "__main__":
    main()
