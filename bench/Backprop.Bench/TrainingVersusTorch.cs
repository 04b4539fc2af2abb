using System.Diagnostics;
using Backprop.Data;
using Backprop.Nn;
using Backprop.Optim;
using Backprop.Training;

namespace Backprop.Bench;

/// <summary>
/// `train`: the training workloads of the performance issue, ours against PyTorch, alternating one
/// repetition at a time so both see the same machine load; medians and the ratio ours/PyTorch.
///   (a) the notebook's 3-2-1 network, one SGD step, float64
///   (b) MLP 784-256-128-10, batch 128, SGD momentum 0.9 lr 0.05, one Fashion-MNIST epoch
///   (c) MLP 784-32-10, batch 32, same optimizer, one epoch
///   (e) a small CNN (conv 16 and 32 channels, 3×3, each with ReLU and 2×2 max-pooling, dense 1568→10),
///       batch 64, same optimizer, one epoch (not in the issue; run it with --only e)
/// With --libtorch, each also runs in libtorch 2.10 + MKL through TorchSharp (bench/LibTorchPeer, built first), in
/// the same alternation. Options: --reps N (default 5), --only a|b|c|e (default abc), --data DIR (default
/// /usr/share/datasets/fashion-mnist), --no-torch, --libtorch.
/// </summary>
internal static class TrainingVersusTorch
{
    public static int Run(string[] args)
    {
        int repetitions = int.Parse(TorchProcess.Option(args, "--reps") ?? "5");
        string only = TorchProcess.Option(args, "--only") ?? "abc";
        string folder = TorchProcess.Option(args, "--data") ?? "/usr/share/datasets/fashion-mnist";
        bool withTorch = !args.Contains("--no-torch");
        bool withLibTorch = args.Contains("--libtorch");
        Console.WriteLine(MachineInfo.Describe());
        Console.WriteLine($"{"workload",-46} {"Backprop",12} {"PyTorch",12} {"ratio",8}" + (withLibTorch ? $" {"libtorch",12} {"ratio",8}" : ""));
        if (only.Contains('a')) Report("(a) notebook 3-2-1, one SGD step, float64", "µs/step", 1e6, Notebook(repetitions, withTorch, withLibTorch));
        if (only.Contains('b') || only.Contains('c') || only.Contains('e'))
        {
            var (train, _) = IdxLoader.LoadFolder(folder);
            if (only.Contains('b')) Report("(b) MLP 784-256-128-10, batch 128, one epoch", "s/epoch", 1, Mlp(train, [256, 128], 128, repetitions, folder, withTorch, withLibTorch));
            if (only.Contains('c')) Report("(c) MLP 784-32-10, batch 32, one epoch", "s/epoch", 1, Mlp(train, [32], 32, repetitions, folder, withTorch, withLibTorch));
            if (only.Contains('e')) Report("(e) CNN 16-32 channels, batch 64, one epoch", "s/epoch", 1, Cnn(train, 64, repetitions, folder, withTorch, withLibTorch));
        }
        return 0;
    }

    /// <summary>One workload's times per repetition: ours, PyTorch's, libtorch's (empty where not run).</summary>
    private sealed record Times(List<double> Ours, List<double> Torch, List<double> LibTorch)
    {
        public Times() : this([], [], []) { }
    }

    private static Times Notebook(int repetitions, bool withTorch, bool withLibTorch)
    {
        var hidden = new Linear<double>(Tensor.From(new[,] { { 0.1, 0.1, 0.6 }, { 0.16, 0.1, 0.5 } }), Tensor.From(new[] { -4.0, -2.0 }));
        var output = new Linear<double>(Tensor.From(new[,] { { 0.3, 0.4 } }), Tensor.From(new[] { 12.0 }));
        var network = new Sequential<double>(hidden, new ActivationLayer<double>(Activation.Sigmoid), output);
        var engine = new DenseNetworkEngine<double>(network);
        var optimizer = new Sgd<double>(network.Parameters(), 0.1);
        double[] input = [7, 2, 25], target = [85];
        var times = new Times();
        const int steps = 2_000_000;
        for (int r = 0; r < repetitions; r++)
        {
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < steps; i++)
            {
                // Squared error of one sample and one output: the engine's mean is the notebook's sum.
                engine.ComputeGradients(input, target, 1);
                optimizer.Step();
            }
            times.Ours.Add(clock.Elapsed.TotalSeconds / steps);
            if (withTorch) times.Torch.AddRange(Seconds(TorchProcess.Run("torch_training.py", "notebook", "1")));
            if (withLibTorch) times.LibTorch.AddRange(Seconds(TorchProcess.RunLibTorch("notebook", "1")));
        }
        return times;
    }

    private static Times Mlp(DataSet train, int[] widths, int batch, int repetitions, string folder, bool withTorch, bool withLibTorch)
    {
        // NOTE: no normalizer, so preparing in place changes nothing; it keeps one copy of the data set, as the CLI does.
        var network = NetworkBuilder.Mlp<float>(train.FeatureCount, widths, 10, Activation.Relu, new Random(0));
        var model = new TrainedModel(network, TaskKind.Classification, train.FeatureNames, train.InputShape, train.ClassNames, normalizer: null);
        var optimizer = new Sgd<float>(network.Parameters(), 0.05, momentum: 0.9);
        var times = new Times();
        for (int r = 0; r < repetitions; r++)
        {
            int gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
            var result = Trainer.Fit(model, train, null, optimizer, new TrainingOptions { Epochs = 1, BatchSize = batch, Seed = r, PrepareInPlace = true });
            times.Ours.Add(result.TrainSeconds);
            Console.WriteLine($"    ours: {result.TrainSeconds:F3} s, {result.SamplesPerSecond:N0} samples/s, train loss {result.Epochs[0].TrainLoss:F4}, " +
                $"gen1/gen2 collections {GC.CollectionCount(1) - gen1}/{GC.CollectionCount(2) - gen2} (incl. data preparation), peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / (1 << 20)} MiB");
            string[] workload = ["mlp", string.Join(",", widths), batch.ToString(), "1", folder];
            if (withTorch) times.Torch.AddRange(Seconds(TorchProcess.Run("torch_training.py", workload)));
            if (withLibTorch) times.LibTorch.AddRange(Seconds(TorchProcess.RunLibTorch(workload)));
        }
        return times;
    }

    private static Times Cnn(DataSet train, int batch, int repetitions, string folder, bool withTorch, bool withLibTorch)
    {
        var random = new Random(0);
        var network = new Sequential<float>(
            new Conv2d<float>(1, 16, 3, random, padding: 1), new ActivationLayer<float>(Activation.Relu), new MaxPool2d<float>(2),
            new Conv2d<float>(16, 32, 3, random, padding: 1), new ActivationLayer<float>(Activation.Relu), new MaxPool2d<float>(2),
            new Flatten<float>(), new Linear<float>(32 * 7 * 7, 10, random));
        var model = new TrainedModel(network, TaskKind.Classification, train.FeatureNames, [1, 28, 28], train.ClassNames, normalizer: null);
        var optimizer = new Sgd<float>(network.Parameters(), 0.05, momentum: 0.9);
        var times = new Times();
        for (int r = 0; r < repetitions; r++)
        {
            var result = Trainer.Fit(model, train, null, optimizer, new TrainingOptions { Epochs = 1, BatchSize = batch, Seed = r, PrepareInPlace = true });
            times.Ours.Add(result.TrainSeconds);
            Console.WriteLine($"    ours: {result.TrainSeconds:F3} s, {result.SamplesPerSecond:N0} samples/s, train loss {result.Epochs[0].TrainLoss:F4}");
            if (withTorch) times.Torch.AddRange(Seconds(TorchProcess.Run("torch_training.py", "cnn", batch.ToString(), "1", folder)));
            if (withLibTorch) times.LibTorch.AddRange(Seconds(TorchProcess.RunLibTorch("cnn", batch.ToString(), "1", folder)));
        }
        return times;
    }

    private static void Report(string name, string unit, double scale, Times times)
    {
        double ours = GemmTiming.Median(times.Ours) * scale;
        string line = $"{name,-46} {ours,8:G4} {unit,-4} {Peer(ours, times.Torch, unit, scale)}";
        if (times.LibTorch.Count > 0) line += $" {Peer(ours, times.LibTorch, unit, scale)}";
        Console.WriteLine(line);
    }

    private static string Peer(double ours, List<double> peer, string unit, double scale)
    {
        double median = peer.Count > 0 ? GemmTiming.Median(peer) * scale : double.NaN;
        return $"{median,8:G4} {unit,-4} {ours / median,7:G3}x";
    }

    private static IEnumerable<double> Seconds(System.Text.Json.JsonElement report) =>
        report.GetProperty("seconds").EnumerateArray().Select(s => s.GetDouble());
}
