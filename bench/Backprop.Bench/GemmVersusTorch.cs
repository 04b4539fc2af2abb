namespace Backprop.Bench;

/// <summary>
/// `gemm`: float32 C = A·B at n = 1024 and 2048, our kernel against PyTorch on the same two cores.
/// The two alternate one repetition at a time, so both see the same machine load, and the medians are
/// reported with the fraction of peak and the ratio. Options: --reps N, --sizes 1024,2048, --no-torch.
/// </summary>
internal static class GemmVersusTorch
{
    // Measured on this machine (AMD EPYC, Zen 5): 2 cores × AVX-512 FMA, float32.
    private const double PeakGigaflops = 323;

    public static int Run(string[] args)
    {
        int repetitions = int.Parse(TorchProcess.Option(args, "--reps") ?? "7");
        int[] sizes = (TorchProcess.Option(args, "--sizes") ?? "1024,2048").Split(',').Select(int.Parse).ToArray();
        bool withTorch = !args.Contains("--no-torch");

        Console.WriteLine($"float32 GEMM, C[n,n] = A·B, {repetitions} alternating repetitions; peak {PeakGigaflops} GFLOP/s");
        Console.WriteLine("medians; the \"best\" rows are the best repetition, the least disturbed where the machine is shared");
        Console.WriteLine($"{"n",6} {"ours GFLOP/s",13} {"% peak",7} {"PyTorch",9} {"% peak",7} {"ours/PyTorch",13}");
        foreach (int n in sizes)
        {
            var ours = new List<double>();
            var torch = new List<double>();
            for (int r = 0; r < repetitions; r++)
            {
                ours.AddRange(GemmTiming.GigaflopsPerRepetition(n, n, n, false, false, 1, 0.3));
                if (withTorch)
                    torch.AddRange(TorchGigaflops(n, 1));
            }
            double oursMedian = GemmTiming.Median(ours), torchMedian = GemmTiming.Median(torch);
            Console.WriteLine($"{n,6} {oursMedian,13:F1} {100 * oursMedian / PeakGigaflops,6:F1}% {torchMedian,9:F1} " +
                $"{100 * torchMedian / PeakGigaflops,6:F1}% {oursMedian / torchMedian,12:F2}x");
            if (withTorch)
                Console.WriteLine($"{"best",6} {ours.Max(),13:F1} {100 * ours.Max() / PeakGigaflops,6:F1}% {torch.Max(),9:F1} " +
                    $"{100 * torch.Max() / PeakGigaflops,6:F1}% {ours.Max() / torch.Max(),12:F2}x");
            Console.WriteLine($"       ours:    {string.Join(" ", ours.Select(g => g.ToString("F0")))}");
            if (withTorch)
                Console.WriteLine($"       PyTorch: {string.Join(" ", torch.Select(g => g.ToString("F0")))}");
        }
        return 0;
    }

    private static double[] TorchGigaflops(int n, int repetitions) =>
        TorchProcess.Run("torch_gemm.py", n.ToString(), repetitions.ToString())
            .GetProperty("gflops").EnumerateArray().Select(value => value.GetDouble()).ToArray();
}
