namespace Backprop.Bench;

internal static class BenchmarkRunner
{
    public static int Run(string[] args) => throw new NotImplementedException();
}
