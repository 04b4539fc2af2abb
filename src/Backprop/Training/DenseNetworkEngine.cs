using System.Numerics;
using Backprop.Kernels;
using Backprop.Nn;

namespace Backprop.Training;

/// <summary>
/// Trains a stack of dense layers without the autograd graph: each layer's forward and backward are fused
/// kernel calls over buffers allocated once, so a steady-state step allocates nothing.
/// </summary>
/// <remarks>
/// NOTE: the graph costs an object per op and a closure per backward, which dominates small networks and
/// puts pressure on the GC in long runs. This engine computes exactly what autograd would (the tests compare
/// them in float64) and writes the gradients into the same <see cref="Tensor{T}.Grad"/> buffers, so any
/// optimizer works with either.
/// </remarks>
public sealed class DenseNetworkEngine<T> : INetworkEngine<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly DenseBlock[] blocks;
    private readonly int inputWidth;
    private int capacity;

    /// <summary>One Linear layer and the activation that follows it, with the buffers for a batch.</summary>
    private sealed class DenseBlock(Linear<T> linear, Activation activation)
    {
        public readonly Linear<T> Linear = linear;
        public readonly Activation Activation = activation;
        public T[] PreActivation = [];  // (batch, out)
        public T[] Activated = [];      // (batch, out); aliases PreActivation for identity
        public T[] Gradient = [];       // (batch, out): ∂loss/∂a, then ∂loss/∂z in place
        public int Width => Linear.OutFeatures;
    }

    /// <summary>Compiles a plain dense stack (see <see cref="Supports"/>) into fused kernels with buffers for <paramref name="batchCapacity"/> rows, grown on demand.</summary>
    public DenseNetworkEngine(Sequential<T> network, int batchCapacity = 1)
    {
        ArgumentNullException.ThrowIfNull(network);
        blocks = Compile(network);
        if (blocks.Length == 0) throw new ArgumentException("the network has no dense layers");
        inputWidth = blocks[0].Linear.InFeatures;
        foreach (var block in blocks)
        {
            block.Linear.Weight.GradBuffer();
            block.Linear.Bias.GradBuffer();
        }
        EnsureCapacity(batchCapacity);
    }

    /// <summary>Whether <paramref name="network"/> is a plain dense stack this engine can run.</summary>
    public static bool Supports(Sequential<T> network)
    {
        ArgumentNullException.ThrowIfNull(network);
        try { return Compile(network).Length > 0; }
        catch (NotSupportedException) { return false; }
    }

    /// <summary>Nothing in a dense stack is random during training.</summary>
    public void StartEpoch(long seed, int epoch) { }

    /// <summary>Values per input row.</summary>
    public int InputWidth => inputWidth;
    /// <summary>Values per output row.</summary>
    public int OutputWidth => blocks[^1].Width;

    /// <summary>Runs the network on a batch (batch, in) and returns its output (batch, out), valid until the next call.</summary>
    public ReadOnlySpan<T> Forward(ReadOnlySpan<T> input, int batch)
    {
        EnsureCapacity(batch);
        var activations = input.Slice(0, batch * inputWidth);
        foreach (var block in blocks)
        {
            int width = block.Width, fanIn = block.Linear.InFeatures;
            var z = block.PreActivation.AsSpan(0, batch * width);
            DenseKernels.BroadcastRows<T>(block.Linear.Bias.Data, z, batch);
            MatrixMultiply.Multiply(activations, block.Linear.Weight.Data, z, batch, width, fanIn, transposeB: true, accumulate: true);
            var a = block.Activated.AsSpan(0, batch * width);
            if (block.Activation != Activation.Identity) DenseKernels.Activate<T>(block.Activation, z, a);
            activations = a;
        }
        return activations;
    }

    /// <summary>
    /// One classification step: forward, softmax cross-entropy, backward. Overwrites every parameter's Grad
    /// with ∂(mean loss)/∂p and returns the summed loss over the batch.
    /// </summary>
    public T ComputeGradients(ReadOnlySpan<T> input, ReadOnlySpan<int> labels, int batch)
    {
        var logits = Forward(input, batch);
        var last = blocks[^1];
        T loss = DenseKernels.SoftmaxCrossEntropy(logits, labels, last.Gradient.AsSpan(0, batch * last.Width), batch, last.Width);
        Backward(input, batch, lastGradientIsPreActivation: last.Activation == Activation.Identity);
        return loss;
    }

    /// <summary>One regression step with the mean squared error: returns Σ (y − t)² over the batch.</summary>
    public T ComputeGradients(ReadOnlySpan<T> input, ReadOnlySpan<T> targets, int batch)
    {
        var output = Forward(input, batch);
        var last = blocks[^1];
        T loss = DenseKernels.SquaredErrorWithGradient(output, targets.Slice(0, batch * last.Width), last.Gradient.AsSpan(0, batch * last.Width));
        Backward(input, batch, lastGradientIsPreActivation: false);
        return loss;
    }

    private void Backward(ReadOnlySpan<T> input, int batch, bool lastGradientIsPreActivation)
    {
        for (int l = blocks.Length - 1; l >= 0; l--)
        {
            var block = blocks[l];
            int width = block.Width, fanIn = block.Linear.InFeatures;
            var dZ = block.Gradient.AsSpan(0, batch * width);
            if (l < blocks.Length - 1 || !lastGradientIsPreActivation)
                DenseKernels.ActivationBackward<T>(block.Activation, block.PreActivation.AsSpan(0, batch * width), block.Activated.AsSpan(0, batch * width), dZ);
            var layerInput = l == 0 ? input.Slice(0, batch * inputWidth) : blocks[l - 1].Activated.AsSpan(0, batch * fanIn);
            // dW (out, in) = dZᵀ (out, batch) · X (batch, in);  db = Σ_rows dZ;  dX (batch, in) = dZ · W
            MatrixMultiply.Multiply(dZ, layerInput, block.Linear.Weight.Grad!.Data, width, fanIn, batch, transposeA: true);
            DenseKernels.SumRows<T>(dZ, block.Linear.Bias.Grad!.Data, batch);
            if (l > 0) MatrixMultiply.Multiply(dZ, block.Linear.Weight.Data, blocks[l - 1].Gradient.AsSpan(0, batch * fanIn), batch, fanIn, width);
        }
    }

    private void EnsureCapacity(int batch)
    {
        if (batch <= capacity) return;
        foreach (var block in blocks)
        {
            block.PreActivation = new T[batch * block.Width];
            block.Activated = block.Activation == Activation.Identity ? block.PreActivation : new T[batch * block.Width];
            block.Gradient = new T[batch * block.Width];
        }
        capacity = batch;
    }

    private static DenseBlock[] Compile(Sequential<T> network)
    {
        var result = new List<DenseBlock>();
        var layers = network.Layers;
        var seen = new Dictionary<Linear<T>, int>(ReferenceEqualityComparer.Instance);
        // NOTE: the engine takes flat rows, so a leading flatten (image input into a dense stack) has nothing to do.
        for (int i = layers.Count > 0 && layers[0] is Flatten<T> ? 1 : 0; i < layers.Count; i++)
        {
            if (layers[i] is not Linear<T> linear)
                throw new NotSupportedException($"layer {i} ({layers[i]}) is not a dense layer");
            // NOTE: each block writes its layer's gradient rather than adding to it (no zeroing pass per step), so a layer
            // used twice kept only its first use's gradient; autograd sums both, as the shared weight's gradient must.
            if (!seen.TryAdd(linear, i))
                throw new NotSupportedException($"layer {i} ({linear}) is layer {seen[linear]} again: a shared layer trains through autograd");
            var activation = Activation.Identity;
            if (i + 1 < layers.Count && layers[i + 1] is ActivationLayer<T> next)
            {
                activation = next.Activation;
                i++;
            }
            if (result.Count > 0 && result[^1].Width != linear.InFeatures)
                throw new ArgumentException($"layer {i} expects {linear.InFeatures} inputs, the previous layer has {result[^1].Width} outputs");
            result.Add(new DenseBlock(linear, activation));
        }
        return result.ToArray();
    }
}
