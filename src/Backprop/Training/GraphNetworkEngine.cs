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
    private readonly TensorArena arena = new();

    /// <summary>Runs any network through autograd, feeding it batches of <paramref name="inputShape"/>.</summary>
    public GraphNetworkEngine(Sequential<T> network, int[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(inputShape);
        this.network = network;
        this.inputShape = (int[])inputShape.Clone();
        inputWidth = checked((int)ShapeMath.Product(inputShape));
        parameters = network.Parameters().ToArray();
        foreach (var parameter in parameters) parameter.GradBuffer();
    }

    /// <inheritdoc/>
    public ReadOnlySpan<T> Forward(ReadOnlySpan<T> input, int batch)
    {
        // NOTE: inference on this thread only; the modules' own mode is left as it is: switched for the pass, a
        // hand-written training loop that evaluated between epochs went on with dropout off and batch norm frozen, and a
        // prediction on another thread ran in whatever mode this one had set.
        int length;
        using (Module<T>.InInference())
        using (arena.Activate())
        using (GradMode.NoGradOnThread())
        {
            var output = network.Forward(Batch(input, batch));
            length = output.Length;
            if (outputs.Length < length) outputs = new T[length];
            output.Data.CopyTo(outputs);
        }
        arena.Recycle(); // NOTE: every tensor of the pass is dead here: the output was copied out
        return outputs.AsSpan(0, length);
    }

    /// <inheritdoc/>
    public T ComputeGradients(ReadOnlySpan<T> input, ReadOnlySpan<int> labels, int batch)
    {
        T loss;
        using (arena.Activate())
        {
            var logits = TrainingForward(input, batch);
            var mean = Tensor<T>.CrossEntropy(logits, labels.Slice(0, batch));
            mean.Backward();
            loss = mean.Item() * T.CreateChecked(batch);
        }
        arena.Recycle(); // the gradients live in the parameters' own buffers, made before any step
        return loss;
    }

    /// <inheritdoc/>
    public T ComputeGradients(ReadOnlySpan<T> input, ReadOnlySpan<T> targets, int batch)
    {
        T loss;
        using (arena.Activate())
        {
            var output = TrainingForward(input, batch);
            var target = Tensor.FromArray(targets.Slice(0, output.Length).ToArray(), output.Shape.ToArray());
            var mean = Loss.Mse(output, target);
            mean.Backward();
            loss = mean.Item() * T.CreateChecked(output.Length);
        }
        arena.Recycle();
        return loss;
    }

    /// <inheritdoc/>
    public void StartEpoch(long seed, int epoch) => Reseed(network, seed, epoch);

    // NOTE: a dropout one Sequential down was never reseeded: its masks ran on from wherever the process had left them,
    // so a resumed run drew other masks than the uninterrupted one. A nested stack's dropouts are seeded from the
    // stack's own seed, which keeps every top-level seed as it was and gives two nested stacks different masks.
    private static void Reseed(Sequential<T> stack, long seed, int epoch)
    {
        var layers = stack.Layers;
        for (int i = 0; i < layers.Count; i++)
        {
            if (layers[i] is Dropout<T> dropout) dropout.Reseed(EpochSeed(seed, epoch, i));
            else if (layers[i] is Sequential<T> inner) Reseed(inner, EpochSeed(seed, epoch, i), epoch);
        }
    }

    private Tensor<T> TrainingForward(ReadOnlySpan<T> input, int batch)
    {
        network.SetTraining(true);
        foreach (var parameter in parameters) parameter.ZeroGrad();
        return network.Forward(Batch(input, batch));
    }

    private Tensor<T> Batch(ReadOnlySpan<T> input, int batch)
    {
        var tensor = Tensor.Uninitialized<T>([batch, .. inputShape]);
        input.Slice(0, batch * inputWidth).CopyTo(tensor.Data);
        return tensor;
    }

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
