using Backprop.Bench;

// One mode per workload; add a case and a static class in its own file for a new one.
string mode = args.Length > 0 ? args[0] : "help";
string[] rest = args.Skip(1).ToArray();
return mode switch
{
    "all" => All(rest),
    "gemm" => GemmVersusTorch.Run(rest),
    "train" => TrainingVersusTorch.Run(rest),
    "cli" => EndToEndVersusTorch.Run(rest),
    "csv" => CsvVersusPandas.Run(rest),
    "csv-once" => CsvVersusPandas.Once(rest),
    "gemm-shapes" => GemmShapes.Run(rest),
    "gemm-probe" => GemmKernelProbe.Run(rest),
    "gemm-phases" => GemmPhases.Run(rest),
    "cnn-parts" => CnnParts.Run(rest),
    "train-parts" => TrainingParts.Run(rest),
    "bdn" => BenchmarkRunner.Run(rest),
    _ => Help(),
};

// Every workload of the performance issue in one command: (a)–(c), (d), then the whole `backprop train` process.
static int All(string[] options)
{
    int training = TrainingVersusTorch.Run(options);
    int gemm = GemmVersusTorch.Run(options);
    int endToEnd = EndToEndVersusTorch.Run(options);
    return Math.Max(training, Math.Max(gemm, endToEnd));
}

static int Help()
{
    Console.WriteLine("""
        usage: dotnet run -c Release --project bench/Backprop.Bench -- <mode> [options]
          all           train, gemm and cli one after another (options go to each, e.g. --libtorch)
          gemm          float32 GEMM at n = 1024, 2048: ours vs PyTorch (bench/torch_gemm.py), GFLOP/s
          train         training workloads (a) notebook step, (b)/(c) Fashion-MNIST MLP epochs, (e) a CNN epoch (--only e): ours vs PyTorch
          cli           the whole `backprop train` process on Fashion-MNIST (b), 3 epochs, vs a PyTorch script doing the same: seconds
          csv           loading a 133 MB CSV of Fashion-MNIST into float32, ours vs pandas.read_csv, each in a fresh process: seconds
          train-parts   milliseconds per epoch of each piece of a (b)/(c) training step
          cnn-parts     milliseconds per step of each layer of the (e) CNN, and of im2col/col2im
          gemm-probe    [n] the microkernel from L1 and L2, the packed path on one and two threads, packing times (GEMM_BLOCKS=mc,kc,nc;...)
          gemm-phases   [n [mc kc nc]] one core's time in an n×n product: packing A, packing B, the macro-kernel
          gemm-shapes   GFLOP/s of the MLP-training shapes (all transpose forms) and tiny products
          bdn [args]    BenchmarkDotNet suites (GemmBenchmarks, DenseKernelBenchmarks, ConvolutionBenchmarks); extra args go to BenchmarkDotNet
        """);
    return 2;
}
