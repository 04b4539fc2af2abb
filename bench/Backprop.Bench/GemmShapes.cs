using System.Diagnostics;
using Backprop.Kernels;

namespace Backprop.Bench;

/// <summary>
/// `gemm-shapes`: GFLOP/s of the products an MLP on 28×28 images trains with (forward X·W, backward
/// dX = dY·Wᵀ and dW = Xᵀ·dY), a few square sizes, and the time of a tiny product.
/// Options: --cpu to time by the calling thread's CPU time (run with BACKPROP_GEMM_THREADS=1); a list of shapes like 512x512x512 or 256x128x128:TN (m x n x k : transposes) to time only those.
/// </summary>
internal static class GemmShapes
{
    public static int Run(string[] args)
    {
        bool cpu = args.Contains("--cpu");
        args = args.Where(arg => arg != "--cpu").ToArray();
        var shapes = new List<(string Name, int M, int N, int K, bool TransposeA, bool TransposeB)>();
        foreach (string arg in args)
        {
            // m x n x k, optionally :TN etc. for transposeA, transposeB (T = transposed, N = not).
            string[] parts = arg.Split(':');
            int[] size = parts[0].Split('x').Select(int.Parse).ToArray();
            string forms = parts.Length > 1 ? parts[1] : "NN";
            shapes.Add((arg, size[0], size[1], size[2], forms[0] == 'T', forms[1] == 'T'));
        }
        if (shapes.Count == 0)
        {
            foreach (int batch in new[] { 32, 128 })
            {
                foreach (var (inputs, outputs) in new[] { (784, 256), (256, 128), (128, 10) })
                {
                    shapes.Add(($"X·W       b={batch} {inputs}->{outputs}", batch, outputs, inputs, false, false));
                    shapes.Add(($"dY·Wᵀ     b={batch} {inputs}->{outputs}", batch, inputs, outputs, false, true));
                    shapes.Add(($"Xᵀ·dY     b={batch} {inputs}->{outputs}", inputs, outputs, batch, true, false));
                }
            }
            foreach (int size in new[] { 256, 512, 1024 })
                shapes.Add(($"square {size}", size, size, size, false, false));
        }

        Console.WriteLine($"{"shape",-32} {"m",5} {"n",5} {"k",5}  GFLOP/s (median of 5)");
        foreach (var (name, m, n, k, transposeA, transposeB) in shapes)
        {
            double[] runs = GemmTiming.GigaflopsPerRepetition(m, n, k, transposeA, transposeB, 5, 0.1, cpu);
            Console.WriteLine($"{name,-32} {m,5} {n,5} {k,5}  {GemmTiming.Median(runs),7:F1}");
        }
        if (args.Length == 0)
            TinyProduct();
        return 0;
    }

    // The notebook's network: 3 inputs, 2 neurons, one sample.
    private static void TinyProduct()
    {
        float[] x = [0.5f, -1, 2], weight = [0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f], y = new float[2];
        for (int i = 0; i < 100_000; i++)
            Gemm.Multiply(x, weight, y, 1, 2, 3);
        const int calls = 10_000_000;
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < calls; i++)
            Gemm.Multiply(x, weight, y, 1, 2, 3);
        double nanoseconds = Stopwatch.GetElapsedTime(start).TotalNanoseconds / calls;
        Console.WriteLine($"tiny 1x2x3 product: {nanoseconds:F1} ns per call");
    }
}
