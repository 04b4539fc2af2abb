using BenchmarkDotNet.Running;

namespace Backprop.Bench;

/// <summary>`bdn`: the BenchmarkDotNet suites; remaining arguments go to BenchmarkDotNet (e.g. --filter *Gemm*).</summary>
internal static class BenchmarkRunner
{
    public static int Run(string[] args)
    {
        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkRunner).Assembly).Run(args.Length == 0 ? ["--filter", "*"] : args);
        return 0;
    }
}
