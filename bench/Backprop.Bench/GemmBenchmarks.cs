using BenchmarkDotNet.Attributes;
using Backprop.Kernels;

namespace Backprop.Bench;

/// <summary>Square products C = A·B through the public API: float at n = 256 and 1024, double at n = 256.</summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private readonly float[] a256 = Random(256 * 256), b256 = Random(256 * 256), c256 = new float[256 * 256];
    private readonly float[] a1024 = Random(1024 * 1024), b1024 = Random(1024 * 1024), c1024 = new float[1024 * 1024];
    private readonly double[] doubleA256 = Array.ConvertAll(Random(256 * 256), x => (double)x);
    private readonly double[] doubleB256 = Array.ConvertAll(Random(256 * 256), x => (double)x);
    private readonly double[] doubleC256 = new double[256 * 256];

    [Benchmark]
    public void Float256() => Gemm.Multiply(a256, b256, c256, 256, 256, 256);

    [Benchmark]
    public void Float1024() => Gemm.Multiply(a1024, b1024, c1024, 1024, 1024, 1024);

    [Benchmark]
    public void Double256() => Gemm.Multiply(doubleA256, doubleB256, doubleC256, 256, 256, 256);

    private static float[] Random(int length)
    {
        var random = new Random(length);
        var values = new float[length];
        for (int i = 0; i < values.Length; i++)
            values[i] = (float)random.NextDouble() - 0.5f;
        return values;
    }
}
