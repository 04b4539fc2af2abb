using BenchmarkDotNet.Attributes;

namespace Backprop.Bench;

/// <summary>
/// The CNN ops of bench (e) at its second layer's shapes, batch 64: conv2d 16 → 32 channels, 3×3, padding 1, over
/// 14×14 maps (forward, and forward plus backward), and 2×2 max pooling of its output. Each runs in a tensor arena,
/// as training does, so that what is timed is the arithmetic rather than fresh megabyte allocations.
/// </summary>
[MemoryDiagnoser]
public class ConvolutionBenchmarks
{
    private const int Batch = 64, InChannels = 16, OutChannels = 32, Side = 14;
    private readonly Tensor<float> input = Tensor.Uniform(new Random(1), -1f, 1f, Batch, InChannels, Side, Side);
    private readonly Tensor<float> weight = Tensor.Uniform(new Random(2), -0.1f, 0.1f, OutChannels, InChannels, 3, 3).RequireGrad();
    private readonly Tensor<float> bias = Tensor.Uniform(new Random(3), -0.1f, 0.1f, OutChannels).RequireGrad();
    private readonly Tensor<float> maps = Tensor.Uniform(new Random(4), -1f, 1f, Batch, OutChannels, Side, Side);

    private readonly TensorArena arena = new();

    [Benchmark]
    public void Conv2dForward()
    {
        using (arena.Activate())
        using (GradMode.NoGrad())
            Tensor<float>.Conv2d(input, weight, bias, 1, 1);
        arena.Recycle();
    }

    [Benchmark]
    public void Conv2dForwardBackward()
    {
        weight.ZeroGrad();
        bias.ZeroGrad();
        using (arena.Activate())
            Tensor<float>.Conv2d(input, weight, bias, 1, 1).Sum().Backward();
        arena.Recycle();
    }

    [Benchmark]
    public void MaxPool2x2()
    {
        using (arena.Activate())
        using (GradMode.NoGrad())
            maps.MaxPool2d(2, 2);
        arena.Recycle();
    }
}
