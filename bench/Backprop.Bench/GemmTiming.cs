using System.Diagnostics;
using Backprop.Kernels;

namespace Backprop.Bench;

/// <summary>Times Gemm.Multiply on one shape: warm up, then the median GFLOP/s over several repetitions.</summary>
internal static class GemmTiming
{
    public static double[] GigaflopsPerRepetition(int m, int n, int k, bool transposeA, bool transposeB,
        int repetitions, double secondsPerRepetition = 0.2, bool threadCpuTime = false)
    {
        // NOTE: thread CPU time leaves out the time the OS gives to other processes, so on a shared machine
        // it measures the kernel rather than the load; it is only meaningful single-threaded.
        Func<double> clock = threadCpuTime ? GemmKernelProbe.ThreadSeconds : () => Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;
        var random = new Random(1);
        float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
        for (int i = 0; i < a.Length; i++) a[i] = (float)random.NextDouble() - 0.5f;
        for (int i = 0; i < b.Length; i++) b[i] = (float)random.NextDouble() - 0.5f;

        // Calls per repetition: enough to fill secondsPerRepetition, measured on the warm-up.
        // NOTE: 0.2 s, as bench/torch_gemm.py warms PyTorch up; after 0.1 s the first repetition at n = 1024
        // still ran 15-20 % slow, on code the JIT had not yet finished optimising.
        var watch = Stopwatch.StartNew();
        int calls = 0;
        while (watch.Elapsed.TotalSeconds < 0.2 || calls < 3)
        {
            Gemm.Multiply(a, b, c, m, n, k, transposeA, transposeB);
            calls++;
        }
        int perRepetition = Math.Max(1, (int)(calls * secondsPerRepetition / watch.Elapsed.TotalSeconds));

        var result = new double[repetitions];
        for (int r = 0; r < repetitions; r++)
        {
            double start = clock();
            for (int call = 0; call < perRepetition; call++)
                Gemm.Multiply(a, b, c, m, n, k, transposeA, transposeB);
            double seconds = clock() - start;
            result[r] = 2.0 * m * n * k * perRepetition / seconds / 1e9;
        }
        return result;
    }

    public static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
            : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
