using System.Diagnostics;
using Backprop.Kernels;

namespace Backprop.Bench;

/// <summary>
/// `train-parts`: where an epoch of (b) or (c) goes. Replays each piece of a dense training step on the
/// workload's shapes (the GEMM forms, bias/activation, softmax-CE, SGD momentum, the row gather) for one
/// epoch's worth of batches, and prints the milliseconds per epoch of each, best of several repetitions.
/// The CPU column leaves out time lost to other processes; with BACKPROP_GEMM_THREADS=1 it is the whole cost.
/// Options: --only b|c (default bc), --reps N (default 5).
/// </summary>
internal static class TrainingParts
{
    public static int Run(string[] args)
    {
        int repetitions = int.Parse(TorchProcess.Option(args, "--reps") ?? "5");
        string only = TorchProcess.Option(args, "--only") ?? "bc";
        if (only.Contains('b')) Profile("(b) 784-256-128-10, batch 128", [784, 256, 128, 10], 128, repetitions);
        if (only.Contains('c')) Profile("(c) 784-32-10, batch 32", [784, 32, 10], 32, repetitions);
        return 0;
    }

    private static void Profile(string name, int[] widths, int batch, int repetitions)
    {
        const int rows = 60_000;
        int batches = (rows + batch - 1) / batch;
        var random = new Random(0);
        float[] Random(int length)
        {
            var values = new float[length];
            for (int i = 0; i < length; i++) values[i] = (float)random.NextDouble() - 0.5f;
            return values;
        }
        int layers = widths.Length - 1;
        var weights = new float[layers][];
        var biases = new float[layers][];
        var dWeights = new float[layers][];
        var momenta = new float[layers][];
        var z = new float[layers][];
        var a = new float[layers][];
        var dz = new float[layers][];
        for (int l = 0; l < layers; l++)
        {
            weights[l] = Random(widths[l + 1] * widths[l]);
            biases[l] = Random(widths[l + 1]);
            dWeights[l] = new float[weights[l].Length];
            momenta[l] = new float[weights[l].Length];
            z[l] = Random(batch * widths[l + 1]);
            a[l] = new float[batch * widths[l + 1]];
            dz[l] = Random(batch * widths[l + 1]);
        }
        var input = Random(batch * widths[0]);
        var data = Random(rows * widths[0]);
        var order = Enumerable.Range(0, rows).OrderBy(_ => random.Next()).ToArray();
        var labels = new int[batch];
        for (int i = 0; i < batch; i++) labels[i] = i % widths[^1];

        var parts = new List<(string Name, Action Body)>();
        for (int l = 0; l < layers; l++)
        {
            int layer = l, fanIn = widths[l], width = widths[l + 1];
            float[] x = l == 0 ? input : a[l - 1];
            parts.Add(($"fwd  L{l} bias+X·Wᵀ {batch}x{width}x{fanIn}", () =>
            {
                DenseKernels.BroadcastRows<float>(biases[layer], z[layer], batch);
                Gemm.Multiply(x, weights[layer], z[layer], batch, width, fanIn, transposeB: true, accumulate: true);
            }));
            if (l < layers - 1)
                parts.Add(($"fwd  L{l} relu {batch}x{width}", () => DenseKernels.Activate<float>(Activation.Relu, z[layer], a[layer])));
        }
        parts.Add(($"softmax-CE {batch}x{widths[^1]}", () => DenseKernels.SoftmaxCrossEntropy<float>(z[layers - 1], labels, dz[layers - 1], batch, widths[^1])));
        for (int l = layers - 1; l >= 0; l--)
        {
            int layer = l, fanIn = widths[l], width = widths[l + 1];
            float[] x = l == 0 ? input : a[l - 1];
            if (l < layers - 1)
                parts.Add(($"bwd  L{l} relu' {batch}x{width}", () => DenseKernels.ActivationBackward<float>(Activation.Relu, z[layer], a[layer], dz[layer])));
            parts.Add(($"bwd  L{l} dZᵀ·X {width}x{fanIn}x{batch}", () => Gemm.Multiply(dz[layer], x, dWeights[layer], width, fanIn, batch, transposeA: true)));
            parts.Add(($"bwd  L{l} Σrows dZ {width}", () => DenseKernels.SumRows<float>(dz[layer], biases[layer], batch)));
            if (l > 0)
                parts.Add(($"bwd  L{l} dZ·W {batch}x{fanIn}x{width}", () => Gemm.Multiply(dz[layer], weights[layer], dz[layer - 1], batch, fanIn, width)));
        }
        parts.Add(("sgd momentum (weights)", () =>
        {
            for (int l = 0; l < layers; l++)
                OptimizerKernels.SgdMomentum<float>(weights[l], dWeights[l], momenta[l], 0.9f, -1e-9f);
        }));
        var dataSet = Backprop.Data.DataSet.Classification(data, rows, Enumerable.Range(0, widths[0]).Select(i => $"x{i}").ToArray(), [widths[0]],
            Enumerable.Range(0, rows).Select(i => i % widths[^1]).ToArray(), Enumerable.Range(0, widths[^1]).Select(i => $"c{i}").ToArray());
        var loader = new Backprop.Data.BatchLoader(dataSet, batch, 1);
        parts.Add(($"gather {batch} rows (BatchLoader)", () =>
        {
            if (!loader.Next(out _)) { loader.StartEpoch(loader.Epoch + 1); loader.Next(out _); }
        }));

        Console.WriteLine($"{name}: ms per epoch ({batches} batches), best of {repetitions}: wall, calling thread's CPU");
        double total = 0, totalCpu = 0;
        foreach (var (partName, body) in parts)
        {
            for (int i = 0; i < 20; i++) body();
            double best = double.MaxValue, bestCpu = double.MaxValue;
            for (int r = 0; r < repetitions; r++)
            {
                long start = Stopwatch.GetTimestamp();
                double startCpu = GemmKernelProbe.ThreadSeconds();
                for (int i = 0; i < batches; i++) body();
                bestCpu = Math.Min(bestCpu, (GemmKernelProbe.ThreadSeconds() - startCpu) * 1e3);
                best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
            total += best;
            totalCpu += bestCpu;
            Console.WriteLine($"  {partName,-40} {best,8:F1} {bestCpu,8:F1}");
        }
        Console.WriteLine($"  {"total",-40} {total,8:F1} {totalCpu,8:F1}");
    }
}
