using System.Diagnostics;
using Backprop.Kernels;

namespace Backprop.Bench;

/// <summary>
/// `gemm-probe`: what the pieces reach on one core. The microkernel alone on L1- and on L2-resident panels
/// (its ceiling), then the whole packed path single- and multi-threaded, per kernel kind.
/// </summary>
internal static unsafe class GemmKernelProbe
{
    public static int Run(string[] args)
    {
        int size = args.Length > 0 ? int.Parse(args[0]) : 1024;
        var plan = GemmPlan<float>.Best;
        // NOTE: at the plan's depth (Kc = 1024) the panels are 56 KiB of A and 128 KiB of B: more than the 48 KiB
        // L1, so the kernel streams them from L2 as it does inside a product. At depth 256 (14 + 32 KiB) they fit L1.
        foreach (int depth in new[] { 256, plan.Kc })
            ProbeMicroKernel(plan, depth);

        var random = new Random(1);
        float[] ma = new float[size * size], mb = new float[size * size], mc = new float[size * size];
        for (int i = 0; i < ma.Length; i++) { ma[i] = (float)random.NextDouble(); mb[i] = (float)random.NextDouble(); }
        // Blocks from the environment, e.g. GEMM_BLOCKS="192,256,4096;240,384,4096" (mc,kc,nc;...).
        string[] blockSets = (Environment.GetEnvironmentVariable("GEMM_BLOCKS") ?? $"{plan.Mc},{plan.Kc},{plan.Nc}").Split(';');
        foreach (string blocks in blockSets)
        {
            int[] mkn = blocks.Split(',').Select(int.Parse).ToArray();
            var tuned = plan.WithBlocks(mkn[0], mkn[1], mkn[2]);
            var best = 0.0;
            for (int round = 0; round < 4; round++)
            {
                Gemm.MultiplyPacked<float>(ma, mb, mc, size, size, size, false, false, false, tuned, 1);
                double start = ThreadSeconds();
                for (int i = 0; i < 3; i++)
                    Gemm.MultiplyPacked<float>(ma, mb, mc, size, size, size, false, false, false, tuned, 1);
                double seconds = ThreadSeconds() - start;
                best = Math.Max(best, 2.0 * size * size * size * 3 / seconds / 1e9);
            }
            Console.WriteLine($"packed n={size} threads=1 mc,kc,nc={tuned.Mc},{tuned.Kc},{tuned.Nc}: best {best:F1} GFLOP/s of thread CPU time");
        }
        {
            float* packed = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)((plan.Mc + 64) * (plan.Kc + 64) * 4 * 2), 64);
            fixed (float* pa = ma)
            {
                // Each packing is timed three times (the first includes its JIT); the best is reported.
                foreach (bool transposed in new[] { false, true })
                {
                    double bestA = double.MaxValue, bestB = double.MaxValue;
                    for (int round = 0; round < 3; round++)
                    {
                        double start = ThreadSeconds();
                        for (int pc = 0; pc < size; pc += plan.Kc)
                            for (int ic = 0; ic < size; ic += plan.Mc)
                                GemmPacking.PackA(pa, size, transposed, ic, Math.Min(plan.Mc, size - ic), pc, Math.Min(plan.Kc, size - pc), plan.Mr, packed);
                        bestA = Math.Min(bestA, ThreadSeconds() - start);
                        start = ThreadSeconds();
                        for (int pc = 0; pc < size; pc += plan.Kc)
                            for (int jc = 0; jc < size; jc += plan.Mc)
                                GemmPacking.PackB(pa, size, transposed, pc, Math.Min(plan.Kc, size - pc), jc, Math.Min(plan.Mc, size - jc), plan.Nr, 0, (Math.Min(plan.Mc, size - jc) + plan.Nr - 1) / plan.Nr, packed);
                        bestB = Math.Min(bestB, ThreadSeconds() - start);
                    }
                    Console.WriteLine($"pack A transposed={transposed}: {bestA * 1e3:F2} ms for {size}x{size}");
                    Console.WriteLine($"pack B transposed={transposed}: {bestB * 1e3:F2} ms for {size}x{size}");
                }
            }
        }
        foreach (string blocks in blockSets)
        {
            int[] mkn = blocks.Split(',').Select(int.Parse).ToArray();
            var tuned = plan.WithBlocks(mkn[0], mkn[1], mkn[2]);
            for (int round = 0; round < 3; round++)
            {
                const int calls = 6;
                Gemm.MultiplyPacked<float>(ma, mb, mc, size, size, size, false, false, false, tuned, 2);
                long start = Stopwatch.GetTimestamp();
                for (int i = 0; i < calls; i++)
                    Gemm.MultiplyPacked<float>(ma, mb, mc, size, size, size, false, false, false, tuned, 2);
                double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                Console.WriteLine($"packed n={size} threads=2 mc,kc,nc={tuned.Mc},{tuned.Kc},{tuned.Nc}: {2.0 * size * size * size * calls / seconds / 1e9:F1} GFLOP/s");
            }
        }
        return 0;
    }

    // The microkernel alone, over the same two panels again and again, at one depth.
    private static void ProbeMicroKernel(GemmPlan<float> plan, int kc)
    {
        float* a = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)(plan.Mr * kc * 4), 64);
        float* b = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)(plan.Nr * kc * 4), 64);
        float* c = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)(plan.Mr * plan.Nr * 4), 64);
        for (int i = 0; i < plan.Mr * kc; i++) a[i] = 0.001f * (i % 7);
        for (int i = 0; i < plan.Nr * kc; i++) b[i] = 0.001f * (i % 5);
        long calls = 200_000L * 1024 / kc;
        for (int round = 0; round < 3; round++)
        {
            double start = ThreadSeconds();
            for (long i = 0; i < calls; i++)
                plan.Kernel(kc, a, b, c, plan.Nr, true);
            double seconds = ThreadSeconds() - start;
            string where = (plan.Mr + plan.Nr) * kc * 4 <= 48 << 10 ? "L1" : "L2";
            Console.WriteLine($"microkernel {plan.Mr}x{plan.Nr} kc={kc} (panels in {where}): " +
                $"{2.0 * plan.Mr * plan.Nr * kc * calls / seconds / 1e9:F1} GFLOP/s (one core)");
        }
        System.Runtime.InteropServices.NativeMemory.AlignedFree(a);
        System.Runtime.InteropServices.NativeMemory.AlignedFree(b);
        System.Runtime.InteropServices.NativeMemory.AlignedFree(c);
    }

    // Seconds of CPU this thread has run: robust to other processes taking the core for a while.
    public static double ThreadSeconds()
    {
        TimeSpec time;
        ClockGetTime(3 /* CLOCK_THREAD_CPUTIME_ID */, &time);
        return time.Seconds + time.Nanoseconds * 1e-9;
    }

    private struct TimeSpec { public long Seconds; public long Nanoseconds; }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, TimeSpec* time);
}
