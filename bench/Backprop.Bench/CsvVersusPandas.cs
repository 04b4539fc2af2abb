using System.Diagnostics;
using System.Text.Json;
using Backprop.Data;

namespace Backprop.Bench;

/// <summary>
/// `csv`: loading a 133 MB CSV (Fashion-MNIST's training images, 784 pixel columns and a label) into a float32 data set,
/// ours (CsvLoader.Load) against pandas (read_csv, then the features as a float32 array), each in a fresh process so
/// both meet fresh memory, alternating; seconds of the load itself, without start-up or imports; medians and the ratio.
/// Options: --reps N (default 5), --csv PATH (default: made once from --data in the temp folder), --data DIR.
/// </summary>
internal static class CsvVersusPandas
{
    public static int Run(string[] args)
    {
        int repetitions = int.Parse(TorchProcess.Option(args, "--reps") ?? "5");
        string folder = TorchProcess.Option(args, "--data") ?? "/usr/share/datasets/fashion-mnist";
        string csv = TorchProcess.Option(args, "--csv") ?? Path.Combine(Path.GetTempPath(), "backprop-bench-fashion-mnist.csv");
        if (!File.Exists(csv))
        {
            Console.WriteLine($"making {csv} from {folder}");
            TorchProcess.Run("pandas_csv.py", "make", csv, folder);
        }
        Console.WriteLine($"loading {csv} ({new FileInfo(csv).Length / 1e6:F0} MB), each load in a fresh process");
        string self = typeof(CsvVersusPandas).Assembly.Location;
        var ours = new List<double>();
        var pandas = new List<double>();
        for (int r = 0; r < repetitions; r++)
        {
            ours.Add(Seconds(new ProcessStartInfo("dotnet", [self, "csv-once", csv])));
            pandas.Add(Seconds(TorchProcess.Start("pandas_csv.py", "load", csv)));
            Console.WriteLine($"    ours {ours[^1]:F2} s, pandas {pandas[^1]:F2} s");
        }
        double oursMedian = GemmTiming.Median(ours), pandasMedian = GemmTiming.Median(pandas);
        Console.WriteLine($"{"CSV to float32, s",-46} {oursMedian,12:F2} {pandasMedian,12:F2} {oursMedian / pandasMedian,8:F3}×");
        return 0;
    }

    /// <summary>`csv-once PATH`: one load, timed inside this process.</summary>
    public static int Once(string[] args)
    {
        var clock = Stopwatch.StartNew();
        var data = CsvLoader.Load(args[0], new CsvLoadOptions { Target = "label" });
        Console.WriteLine(JsonSerializer.Serialize(new { seconds = clock.Elapsed.TotalSeconds, rows = data.Rows }));
        return 0;
    }

    // The seconds the process reports for its load.
    private static double Seconds(ProcessStartInfo start)
        => JsonDocument.Parse(TorchProcess.Timed(start).Output).RootElement.GetProperty("seconds").GetDouble();
}
