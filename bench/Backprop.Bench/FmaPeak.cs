using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Backprop.Bench;

/// <summary>
/// The machine's float32 FMA ceiling, measured rather than assumed: independent Vector512 multiply-adds
/// from registers only (no memory), on one thread per core at once, so that any clock drop with every
/// core busy is in the figure. A GEMM's "% of peak" is honest only against this.
/// </summary>
internal static class FmaPeak
{
    /// <summary>GFLOP/s of all cores together (the median of a few short runs), or NaN without AVX-512.</summary>
    public static double MeasureAllCores(double seconds = 0.3)
    {
        if (!Vector512.IsHardwareAccelerated)
            return double.NaN;
        Chains(1000);  // compile before timing
        int threads = Environment.ProcessorCount;
        var totals = new List<double>();
        for (int round = 0; round < 3; round++)
        {
            var perThread = new double[threads];
            var workers = Enumerable.Range(0, threads).Select(t => new Thread(() => perThread[t] = OneThread(seconds))).ToArray();
            foreach (var worker in workers) worker.Start();
            foreach (var worker in workers) worker.Join();
            totals.Add(perThread.Sum());
        }
        return GemmTiming.Median(totals);
    }

    private static double OneThread(double seconds)
    {
        const long iterations = 1_000_000;
        long calls = 0;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed.TotalSeconds < seconds)
        {
            Chains(iterations);
            calls++;
        }
        // 20 FMAs of 16 lanes, 2 flops each, per iteration.
        return calls * iterations * 20.0 * 16 * 2 / watch.Elapsed.TotalSeconds / 1e9;
    }

    // NOTE: 20 independent accumulators cover the FMA latency (4 cycles) times its two pipes with room to spare.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains(long iterations)
    {
        var x = Vector512.Create(1.0001f);
        var y = Vector512.Create(0.9999f);
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default;
        Vector512<float> a5 = default, a6 = default, a7 = default, a8 = default, a9 = default;
        Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default, a14 = default;
        Vector512<float> a15 = default, a16 = default, a17 = default, a18 = default, a19 = default;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(x, y, a0); a1 = Vector512.FusedMultiplyAdd(x, y, a1);
            a2 = Vector512.FusedMultiplyAdd(x, y, a2); a3 = Vector512.FusedMultiplyAdd(x, y, a3);
            a4 = Vector512.FusedMultiplyAdd(x, y, a4); a5 = Vector512.FusedMultiplyAdd(x, y, a5);
            a6 = Vector512.FusedMultiplyAdd(x, y, a6); a7 = Vector512.FusedMultiplyAdd(x, y, a7);
            a8 = Vector512.FusedMultiplyAdd(x, y, a8); a9 = Vector512.FusedMultiplyAdd(x, y, a9);
            a10 = Vector512.FusedMultiplyAdd(x, y, a10); a11 = Vector512.FusedMultiplyAdd(x, y, a11);
            a12 = Vector512.FusedMultiplyAdd(x, y, a12); a13 = Vector512.FusedMultiplyAdd(x, y, a13);
            a14 = Vector512.FusedMultiplyAdd(x, y, a14); a15 = Vector512.FusedMultiplyAdd(x, y, a15);
            a16 = Vector512.FusedMultiplyAdd(x, y, a16); a17 = Vector512.FusedMultiplyAdd(x, y, a17);
            a18 = Vector512.FusedMultiplyAdd(x, y, a18); a19 = Vector512.FusedMultiplyAdd(x, y, a19);
        }
        var sum = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13 + a14 + a15 + a16 + a17 + a18 + a19;
        return Vector512.Sum(sum);
    }
}
