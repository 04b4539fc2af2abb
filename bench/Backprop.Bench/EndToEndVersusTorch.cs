using System.Diagnostics;
using System.Text.Json;

namespace Backprop.Bench;

/// <summary>
/// `cli`: the whole `backprop train` process on Fashion-MNIST (workload (b): MLP 784-256-128-10, batch 128, SGD Nesterov
/// momentum 0.9 lr 0.05, constant rate, 3 epochs) against a PyTorch script doing the same from its own start
/// (bench/torch_training.py e2e): start-up, reading the gzip IDX files, standardising, training, the test set after
/// every epoch. Wall-clock seconds of each process, alternating, medians and the ratio; and both test accuracies.
/// Options: --reps N (default 3), --epochs N (default 3), --data DIR, --cli PATH (default: this checkout's Release
/// build, src/Backprop.Cli/bin/Release/net10.0/backprop.dll, run with dotnet; a published `backprop` runs as it is),
/// --libtorch (also a TorchSharp program doing the same, bench/LibTorchPeer's e2e, built first).
/// </summary>
internal static class EndToEndVersusTorch
{
    public static int Run(string[] args)
    {
        int repetitions = int.Parse(TorchProcess.Option(args, "--reps") ?? "3");
        string epochs = TorchProcess.Option(args, "--epochs") ?? "3";
        string folder = TorchProcess.Option(args, "--data") ?? "/usr/share/datasets/fashion-mnist";
        string cli = TorchProcess.Option(args, "--cli") ?? BuiltCli();
        bool withLibTorch = args.Contains("--libtorch");
        string[] train = ["train", "--data", folder, "--layers", "256,128", "--batch-size", "128", "--optimizer", "momentum",
            "--lr", "0.05", "--schedule", "constant", "--epochs", epochs, "--format", "json"];
        var start = cli.EndsWith(".dll", StringComparison.Ordinal)
            ? new ProcessStartInfo("dotnet", [cli, .. train])
            : new ProcessStartInfo(cli, train);

        Console.WriteLine(MachineInfo.Describe());
        Console.WriteLine($"backprop train, {epochs} epochs of (b), whole process: {cli}");
        var ours = new List<double>();
        var torch = new List<double>();
        var libTorch = new List<double>();
        for (int r = 0; r < repetitions; r++)
        {
            var (seconds, output) = TorchProcess.Timed(start);
            var report = JsonDocument.Parse(output).RootElement;
            ours.Add(seconds);
            Console.WriteLine($"    ours:    {seconds:F2} s, test accuracy {report.GetProperty("test_accuracy").GetDouble():P2} (training {report.GetProperty("train_seconds").GetDouble():F2} s)");

            var (torchSeconds, torchOutput) = TorchProcess.Timed(TorchProcess.Start("torch_training.py", "e2e", "256,128", "128", epochs, folder));
            torch.Add(torchSeconds);
            Console.WriteLine($"    PyTorch: {torchSeconds:F2} s, test accuracy {JsonDocument.Parse(torchOutput).RootElement.GetProperty("test_accuracy").GetDouble():P2}");

            if (!withLibTorch) continue;
            var (libTorchSeconds, libTorchOutput) = TorchProcess.Timed(TorchProcess.StartLibTorch("e2e", "256,128", "128", epochs, folder));
            libTorch.Add(libTorchSeconds);
            Console.WriteLine($"    libtorch: {libTorchSeconds:F2} s, test accuracy {JsonDocument.Parse(libTorchOutput).RootElement.GetProperty("test_accuracy").GetDouble():P2}");
        }
        double oursMedian = GemmTiming.Median(ours), torchMedian = GemmTiming.Median(torch);
        Console.WriteLine($"{"end to end, s",-46} {oursMedian,12:F2} {torchMedian,12:F2} {oursMedian / torchMedian,8:F3}×");
        if (withLibTorch)
        {
            double libTorchMedian = GemmTiming.Median(libTorch);
            Console.WriteLine($"{"end to end against libtorch+MKL, s",-46} {oursMedian,12:F2} {libTorchMedian,12:F2} {oursMedian / libTorchMedian,8:F3}×");
        }
        return 0;
    }

    private static string BuiltCli()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, "src", "Backprop.Cli", "bin", "Release", "net10.0", "backprop.dll");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("no Release build of the CLI: run `dotnet build -c Release src/Backprop.Cli` or pass --cli PATH");
    }
}
