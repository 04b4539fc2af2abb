using System.Diagnostics;
using System.Text.Json;

namespace Backprop.Bench;

/// <summary>Runs a committed PyTorch script from bench/ under Debian's python3 with the settings the
/// comparisons need (2 threads are set by the scripts; OpenBLAS told its CPU kind).</summary>
internal static class TorchProcess
{
    // NOTE: a pyenv or venv python3 earlier on PATH may lack Debian's python3-torch and python3-numpy, so the
    // system interpreter is preferred; BACKPROP_PYTHON overrides.
    private static readonly string Python = Environment.GetEnvironmentVariable("BACKPROP_PYTHON")
        ?? (File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3");

    /// <summary>How to start a bench script under the system python, with OpenBLAS told its CPU kind.</summary>
    public static ProcessStartInfo Start(string scriptName, params string[] arguments)
    {
        var start = new ProcessStartInfo(Python, [FindScript(scriptName), .. arguments]);
        // OpenBLAS 0.3.21 does not recognise this CPU and would fall back to slow generic kernels.
        start.Environment["OPENBLAS_CORETYPE"] = "SkylakeX";
        return start;
    }

    public static JsonElement Run(string scriptName, params string[] arguments)
        => JsonDocument.Parse(Timed(Start(scriptName, arguments)).Output).RootElement.Clone();

    /// <summary>Runs bench/LibTorchPeer (libtorch 2.10 + MKL through TorchSharp) on one workload; it answers in the
    /// Python scripts' JSON.</summary>
    public static JsonElement RunLibTorch(params string[] arguments)
        => JsonDocument.Parse(Timed(StartLibTorch(arguments)).Output).RootElement.Clone();

    public static ProcessStartInfo StartLibTorch(params string[] arguments) => new("dotnet", [FindLibTorchPeer(), .. arguments]);

    private static string FindLibTorchPeer()
    {
        string project = Path.GetDirectoryName(FindScript(Path.Combine("LibTorchPeer", "LibTorchPeer.csproj")))!;
        string peer = Path.Combine(project, "bin", "Release", "net10.0", "LibTorchPeer.dll");
        return File.Exists(peer) ? peer
            : throw new FileNotFoundException($"{peer} is not built: run `dotnet build -c Release bench/LibTorchPeer` (restores ~600 MB of libtorch)");
    }

    /// <summary>Runs a process to its end: the wall-clock seconds it took and what it wrote to standard output; one
    /// that fails throws with what it wrote to standard error.</summary>
    public static (double Seconds, string Output) Timed(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        var errors = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        double seconds = clock.Elapsed.TotalSeconds;
        if (process.ExitCode != 0) throw new InvalidOperationException($"{Path.GetFileName(start.FileName)} {string.Join(' ', start.ArgumentList)} failed ({process.ExitCode}): {errors.Result}");
        return (seconds, output);
    }

    public static string FindScript(string name)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, "bench", name);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"bench/{name} not found above {AppContext.BaseDirectory}");
    }

    public static string? Option(string[] args, string name)
    {
        int index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
