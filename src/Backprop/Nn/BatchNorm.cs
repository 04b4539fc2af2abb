using System.Numerics;

namespace Backprop.Nn;

/// <summary>
/// Batch normalisation per channel of [N, C, H, W] (or per feature of [N, C]): in training with the batch's
/// statistics, which also move the running ones (momentum 0.1, as PyTorch); in inference with the running ones.
/// </summary>
public sealed class BatchNorm<T> : Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>PyTorch's defaults: how far the running statistics move towards each batch's, and the variance floor.</summary>
    public const double Momentum = 0.1, Epsilon = 1e-5;

    /// <summary>A fresh layer: scale 1, shift 0, running mean 0 and variance 1, as PyTorch initialises it.</summary>
    public BatchNorm(int channels)
        : this(Tensor.Full(T.One, Positive(channels)), Tensor.Zeros<T>(channels), Tensor.Zeros<T>(channels), Tensor.Full(T.One, channels)) { }

    // A chained constructor's arguments run first: without this, -1 channels was reported as a tensor shape.
    private static int Positive(int channels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        return channels;
    }

    /// <summary>A layer with the given scale, shift and running statistics (used by model files and tests).</summary>
    public BatchNorm(Tensor<T> weight, Tensor<T> bias, Tensor<T> runningMean, Tensor<T> runningVar)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(bias);
        ArgumentNullException.ThrowIfNull(runningMean);
        ArgumentNullException.ThrowIfNull(runningVar);
        int channels = weight.Length;
        if (channels == 0) throw new ArgumentException("batch norm needs at least one channel", nameof(weight));
        foreach (var tensor in new[] { weight, bias, runningMean, runningVar })
            if (tensor.Rank != 1 || tensor.Length != channels)
                throw new ArgumentException($"batch norm tensors must all be [{channels}], got {ShapeMath.Format(tensor.Shape)}");
        Weight = weight.RequireGrad();
        Bias = bias.RequireGrad();
        // NOTE: the op updates the running statistics in place through these arrays, which the buffer tensors wrap.
        runningMeanValues = runningMean.ToArray();
        runningVarValues = runningVar.ToArray();
        RunningMean = Tensor.FromArray(runningMeanValues, channels);
        RunningVar = Tensor.FromArray(runningVarValues, channels);
    }

    private readonly T[] runningMeanValues, runningVarValues;

    /// <summary>The per-channel scale γ (trained).</summary>
    public Tensor<T> Weight { get; }
    /// <summary>The per-channel shift β (trained).</summary>
    public Tensor<T> Bias { get; }
    /// <summary>The mean used in inference, updated by each training batch.</summary>
    public Tensor<T> RunningMean { get; }
    /// <summary>The (unbiased) variance used in inference, updated by each training batch.</summary>
    public Tensor<T> RunningVar { get; }
    /// <summary>The number of channels (or features) normalised.</summary>
    public int Channels => Weight.Length;

    /// <inheritdoc/>
    public override Tensor<T> Forward(Tensor<T> input) =>
        Tensor<T>.BatchNorm(input, Weight, Bias, runningMeanValues, runningVarValues, Training, Momentum, Epsilon);

    /// <inheritdoc/>
    public override IEnumerable<(string Name, Tensor<T> Parameter)> NamedParameters() => [("weight", Weight), ("bias", Bias)];

    /// <inheritdoc/>
    public override IEnumerable<(string Name, Tensor<T> Buffer)> NamedBuffers() =>
        [("running_mean", RunningMean), ("running_var", RunningVar)];

    /// <inheritdoc/>
    public override string ToString() => $"BatchNorm({Channels})";
}
