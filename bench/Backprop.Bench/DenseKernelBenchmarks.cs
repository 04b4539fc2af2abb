using BenchmarkDotNet.Attributes;
using Backprop.Kernels;

namespace Backprop.Bench;

/// <summary>
/// The elementwise pieces of a dense training step at the shapes of bench (b), batch 128: bias broadcast and
/// ReLU forward (128×256), ReLU backward, bias gradient (row sums), softmax cross-entropy (128×10) and the
/// fused SGD momentum step over the first layer's weights (256×784), each beside its plain reference.
/// </summary>
[MemoryDiagnoser]
public class DenseKernelBenchmarks
{
    private const int Batch = 128, Width = 256, Classes = 10, FanIn = 784;
    private readonly float[] bias = Random(Width, 1), preActivation = Random(Batch * Width, 2), activated = new float[Batch * Width];
    private readonly float[] gradient = Random(Batch * Width, 3), dBias = new float[Width];
    private readonly float[] logits = Random(Batch * Classes, 4), dLogits = new float[Batch * Classes];
    private readonly int[] labels = Enumerable.Range(0, Batch).Select(i => i % Classes).ToArray();
    private readonly float[] weight = Random(Width * FanIn, 5), dWeight = Random(Width * FanIn, 6), momentum = Random(Width * FanIn, 7);

    [Benchmark]
    public void BiasBroadcast() => DenseKernels.BroadcastRows<float>(bias, preActivation, Batch);

    [Benchmark]
    public void ReluForward() => DenseKernels.Relu<float>(preActivation, activated);

    [Benchmark]
    public void ReluForwardReference() => DenseKernelsReference.Relu<float>(preActivation, activated);

    [Benchmark]
    public void ReluBackward() => DenseKernels.ReluBackward<float>(preActivation, gradient);

    [Benchmark]
    public void ReluBackwardReference() => DenseKernelsReference.ReluBackward<float>(preActivation, gradient);

    [Benchmark]
    public void BiasGradient() => DenseKernels.SumRows<float>(gradient, dBias, Batch);

    [Benchmark]
    public void BiasGradientReference() => DenseKernelsReference.SumRows<float>(gradient, dBias, Batch);

    [Benchmark]
    public float SoftmaxCrossEntropy() => DenseKernels.SoftmaxCrossEntropy<float>(logits, labels, dLogits, Batch, Classes);

    [Benchmark]
    public double SoftmaxCrossEntropyReference() => DenseKernelsReference.SoftmaxCrossEntropy<float>(logits, labels, dLogits, Batch, Classes);

    // NOTE: a learning rate of 0 keeps the weights the same from call to call; the work is the same.
    [Benchmark]
    public void SgdMomentum() => OptimizerKernels.SgdMomentum<float>(weight, dWeight, momentum, 0.9f, -0f);

    private static float[] Random(int length, int seed)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < values.Length; i++) values[i] = (float)random.NextDouble() * 4 - 2;
        return values;
    }
}
