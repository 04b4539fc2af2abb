namespace Backprop.Bench;

/// <summary>
/// `gemm`: float32 C = A·B at n = 1024 and 2048, our kernel against PyTorch (OpenBLAS) on the same two cores, and
/// with --libtorch against libtorch 2.10 + MKL too (bench/LibTorchPeer, built first). They alternate one repetition at
/// a time, so all see the same machine load, and the medians are reported with the fraction of peak (the issue's figure
/// and the one measured in the same run) and the ratios. Options: --reps N, --sizes 1024,2048, --no-torch, --libtorch.
/// </summary>
internal static class GemmVersusTorch
{
    // The issue's figure for this machine kind (2 cores × AVX-512 FMA, float32); the run also measures its own.
    private const double PeakGigaflops = 323;

    public static int Run(string[] args)
    {
        int repetitions = int.Parse(TorchProcess.Option(args, "--reps") ?? "7");
        int[] sizes = (TorchProcess.Option(args, "--sizes") ?? "1024,2048").Split(',').Select(int.Parse).ToArray();
        bool withTorch = !args.Contains("--no-torch");
        bool withLibTorch = args.Contains("--libtorch");

        double measuredPeak = FmaPeak.MeasureAllCores();
        Console.WriteLine(MachineInfo.Describe());
        Console.WriteLine($"float32 GEMM, C[n,n] = A·B, {repetitions} alternating repetitions");
        Console.WriteLine($"peak: the issue's {PeakGigaflops} GFLOP/s; measured now (register-only Vector512 FMAs on all " +
            $"{Environment.ProcessorCount} cores at once): {measuredPeak:F1} GFLOP/s");
        Console.WriteLine("medians; the \"best\" rows are the best repetition, the least disturbed where the machine is shared");
        Console.WriteLine($"{"n",6} {"ours GFLOP/s",13} {"% issue",8} {"% meas.",8} {"PyTorch",9} {"% issue",8} {"% meas.",8} {"ours/PyTorch",13}");
        foreach (int n in sizes)
        {
            var ours = new List<double>();
            var torch = new List<double>();
            var libTorch = new List<double>();
            for (int r = 0; r < repetitions; r++)
            {
                ours.AddRange(GemmTiming.GigaflopsPerRepetition(n, n, n, false, false, 1, 0.3));
                if (withTorch)
                    torch.AddRange(Gigaflops(TorchProcess.Run("torch_gemm.py", n.ToString(), "1")));
                if (withLibTorch)
                    libTorch.AddRange(Gigaflops(TorchProcess.RunLibTorch("gemm", n.ToString(), "1")));
            }
            double oursMedian = GemmTiming.Median(ours);
            Console.WriteLine(Row(n.ToString(), oursMedian, GemmTiming.Median(torch), measuredPeak));
            if (withTorch)
                Console.WriteLine(Row("best", ours.Max(), torch.Max(), measuredPeak));
            if (withLibTorch)
            {
                double libTorchMedian = GemmTiming.Median(libTorch);
                Console.WriteLine($"{"",6} libtorch+MKL {libTorchMedian,9:F1} GFLOP/s {100 * libTorchMedian / PeakGigaflops,7:F1}% " +
                    $"{100 * libTorchMedian / measuredPeak,7:F1}%, ours/libtorch {oursMedian / libTorchMedian:F2}x");
            }
            Console.WriteLine($"       ours:     {string.Join(" ", ours.Select(g => g.ToString("F0")))}");
            if (withTorch)
                Console.WriteLine($"       PyTorch:  {string.Join(" ", torch.Select(g => g.ToString("F0")))}");
            if (withLibTorch)
                Console.WriteLine($"       libtorch: {string.Join(" ", libTorch.Select(g => g.ToString("F0")))}");
        }
        return 0;
    }

    private static string Row(string label, double ours, double torch, double measuredPeak) =>
        $"{label,6} {ours,13:F1} {100 * ours / PeakGigaflops,7:F1}% {100 * ours / measuredPeak,7:F1}% {torch,9:F1} " +
        $"{100 * torch / PeakGigaflops,7:F1}% {100 * torch / measuredPeak,7:F1}% {ours / torch,12:F2}x";

    private static double[] Gigaflops(System.Text.Json.JsonElement report) =>
        report.GetProperty("gflops").EnumerateArray().Select(value => value.GetDouble()).ToArray();
}
