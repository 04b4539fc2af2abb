"""Times PyTorch's float32 matmul (OpenBLAS/MKL underneath) for Backprop's `gemm` benchmark.

Usage: python3 torch_gemm.py N REPETITIONS
Prints one JSON object: {"n": N, "threads": 2, "gflops": [one value per repetition]}.
Each repetition runs enough products to last about 0.3 s, after a warm-up.
Run with OPENBLAS_CORETYPE=SkylakeX: OpenBLAS 0.3.21 misdetects this AMD CPU.
"""
import json
import sys
import time

import torch

torch.set_num_threads(2)


def main() -> None:
    n = int(sys.argv[1])
    repetitions = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    generator = torch.Generator().manual_seed(1)
    a = torch.rand(n, n, generator=generator, dtype=torch.float32) - 0.5
    b = torch.rand(n, n, generator=generator, dtype=torch.float32) - 0.5
    c = torch.empty(n, n, dtype=torch.float32)

    calls, start = 0, time.perf_counter()
    while time.perf_counter() - start < 0.2 or calls < 3:
        torch.matmul(a, b, out=c)
        calls += 1
    per_repetition = max(1, int(calls * 0.3 / (time.perf_counter() - start)))

    gflops = []
    for _ in range(repetitions):
        start = time.perf_counter()
        for _ in range(per_repetition):
            torch.matmul(a, b, out=c)
        seconds = time.perf_counter() - start
        gflops.append(2.0 * n * n * n * per_repetition / seconds / 1e9)
    print(json.dumps({"n": n, "threads": torch.get_num_threads(), "gflops": gflops}))


if __name__ == "__main__":
    main()
