using Backprop.Kernels;

namespace Backprop.Bench;

/// <summary>
/// `gemm-phases [n] [mc kc nc]`: where one core's time goes in an n×n float32 product, in thread CPU time:
/// the whole packed product, then the same loop nest timed piece by piece — packing A, packing B, and the
/// macro-kernel writing into C, and once more into a small block of C that stays in cache.
/// NOTE: twelve rounds, the last three printed: the packing loops reach tier-1 code only after a few
/// dozen calls, and until then they look several times slower than they are.
/// </summary>
internal static unsafe class GemmPhases
{
    public static int Run(string[] args)
    {
        int n = args.Length > 0 ? int.Parse(args[0]) : 2048;
        var plan = GemmPlan<float>.Best;
        if (args.Length > 3)
            plan = plan.WithBlocks(int.Parse(args[1]), int.Parse(args[2]), int.Parse(args[3]));
        var random = new Random(1);
        float[] ma = new float[n * n], mb = new float[n * n], mc = new float[n * n];
        for (int i = 0; i < ma.Length; i++) { ma[i] = (float)random.NextDouble(); mb[i] = (float)random.NextDouble(); }
        int kcMax = Math.Min(plan.Kc, n), ncMax = Math.Min(plan.Nc, n);
        float* packedA = Allocate(plan.Mc * kcMax);
        float* packedB = Allocate(kcMax * GemmDriver.RoundUp(ncMax, plan.Nr));
        float* cachedC = Allocate(plan.Mc * n);
        double flops = 2.0 * n * n * n;
        Console.WriteLine($"n = {n}, mc,kc,nc = {plan.Mc},{plan.Kc},{plan.Nc}, one thread, thread CPU time");
        fixed (float* a = ma, b = mb, c = mc)
        {
            for (int round = 0; round < 12; round++)
            {
                double start = GemmKernelProbe.ThreadSeconds();
                Gemm.MultiplyPacked<float>(ma, mb, mc, n, n, n, false, false, false, plan, 1);
                double whole = GemmKernelProbe.ThreadSeconds() - start;

                double packA = 0, packB = 0, macro = 0, macroCached = 0;
                for (int jc = 0; jc < n; jc += plan.Nc)
                    for (int pc = 0; pc < n; pc += plan.Kc)
                    {
                        int kc = Math.Min(plan.Kc, n - pc), nc = Math.Min(plan.Nc, n - jc);
                        packB -= GemmKernelProbe.ThreadSeconds();
                        GemmPacking.PackB(b, n, false, pc, kc, jc, nc, plan.Nr, 0, GemmDriver.Ceiling(nc, plan.Nr), packedB);
                        packB += GemmKernelProbe.ThreadSeconds();
                        for (int ic = 0; ic < n; ic += plan.Mc)
                        {
                            int rows = Math.Min(plan.Mc, n - ic);
                            double t0 = GemmKernelProbe.ThreadSeconds();
                            GemmPacking.PackA(a, n, false, ic, rows, pc, kc, plan.Mr, packedA);
                            double t1 = GemmKernelProbe.ThreadSeconds();
                            GemmDriver.MacroKernel(in plan, rows, nc, kc, packedA, packedB, c + ic * n + jc, n, pc > 0);
                            double t2 = GemmKernelProbe.ThreadSeconds();
                            GemmDriver.MacroKernel(in plan, rows, nc, kc, packedA, packedB, cachedC, n, pc > 0);
                            double t3 = GemmKernelProbe.ThreadSeconds();
                            packA += t1 - t0; macro += t2 - t1; macroCached += t3 - t2;
                        }
                    }
                if (round >= 9)
                    Console.WriteLine($"whole {flops / whole / 1e9:F1} GFLOP/s ({whole * 1e3:F1} ms); pack A {packA * 1e3:F2} ms, " +
                        $"pack B {packB * 1e3:F2} ms; macro-kernel {macro * 1e3:F1} ms ({flops / macro / 1e9:F1} GFLOP/s), " +
                        $"into cached C {macroCached * 1e3:F1} ms ({flops / macroCached / 1e9:F1})");
            }
        }
        return 0;
    }

    private static float* Allocate(int floats)
        => (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)floats * sizeof(float), 64);
}
