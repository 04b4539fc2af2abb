using System.Numerics;
using Backprop.Nn;

namespace Backprop.Training;

/// <summary>
/// Runs any module stack through autograd: each batch is viewed in the model's input shape ([N, C, H, W] for
/// images), the modules switch between training and inference behaviour, and Backward fills the gradients.
/// </summary>
/// <remarks>NOTE: convolution and pooling do enough arithmetic per op that the graph's bookkeeping is small
/// next to it; dense stacks keep the fused <see cref="DenseNetworkEngine{T}"/>.</remarks>
public sealed class GraphNetworkEngine<T> : INetworkEngine<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Sequential<T> network;
    private readonly int[] inputShape;
    private readonly int inputWidth;
    private readonly Tensor<T>[] parameters;
    private T[] outputs = [];

    public GraphNetworkEngine(Sequential<T> network, int[] inputShape)
    {
        this.network = network;
        this.inputShape = (int[])inputShape.Clone();
        inputWidth = inputShape.Aggregate(1, (product, dim) => product * dim);
        parameters = network.Parameters().ToArray();
        foreach (var parameter in parameters) parameter.GradBuffer();
    }

    public ReadOnlySpan<T> Forward(ReadOnlySpan<T> input, int batch)
    {
        network.SetTraining(false);
        Tensor<T> output;
        using (GradMode.NoGrad()) output = network.Forward(Batch(input, batch));
        if (outputs.Length < output.Length) outputs = new T[output.Length];
        output.Data.CopyTo(outputs);
        return outputs.AsSpan(0, output.Length);
    }

    public T ComputeGradients(ReadOnlySpan<T> input, ReadOnlySpan<int> labels, int batch)
    {
        var logits = TrainingForward(input, batch);
        var loss = Tensor<T>.CrossEntropy(logits, labels.Slice(0, batch));
        loss.Backward();
        return loss.Item() * T.CreateChecked(batch);
    }

    public T ComputeGradients(ReadOnlySpan<T> input, ReadOnlySpan<T> targets, int batch)
    {
        var output = TrainingForward(input, batch);
        var target = Tensor.FromArray(targets.Slice(0, output.Length).ToArray(), output.Shape.ToArray());
        var loss = Loss.Mse(output, target);
        loss.Backward();
        return loss.Item() * T.CreateChecked(output.Length);
    }

    public void StartEpoch(long seed, int epoch)
    {
        var layers = network.Layers;
        for (int i = 0; i < layers.Count; i++)
            if (layers[i] is Dropout<T> dropout) dropout.Reseed(EpochSeed(seed, epoch, i));
    }

    private Tensor<T> TrainingForward(ReadOnlySpan<T> input, int batch)
    {
        network.SetTraining(true);
        foreach (var parameter in parameters) parameter.ZeroGrad();
        return network.Forward(Batch(input, batch));
    }

    private Tensor<T> Batch(ReadOnlySpan<T> input, int batch) =>
        Tensor.FromArray(input.Slice(0, batch * inputWidth).ToArray(), [batch, .. inputShape]);

    // SplitMix64 of (seed, epoch, layer): a fixed mixing function, as .NET's string and tuple hashes are
    // randomised per process.
    private static int EpochSeed(long seed, int epoch, int layer)
    {
        ulong z = unchecked((ulong)seed + 0x9E3779B97F4A7C15UL * (ulong)(epoch * 1024L + layer + 1));
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return unchecked((int)(z ^ (z >> 31)));
    }
}
