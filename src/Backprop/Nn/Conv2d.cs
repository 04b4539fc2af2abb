using System.Numerics;

namespace Backprop.Nn;

/// <summary>A 2-D convolution over [N, C, H, W] with a square kernel, zero padding and a stride; weight
/// [out, in, k, k] and bias [out] (PyTorch's nn.Conv2d layout).</summary>
public sealed class Conv2d<T> : Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>PyTorch's default initialisation: weights and biases uniform in ±1/√(in·k·k).</summary>
    public Conv2d(int inChannels, int outChannels, int kernel, Random random, int stride = 1, int padding = 0)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernel);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        T bound = T.CreateChecked(1.0 / Math.Sqrt((double)inChannels * kernel * kernel));
        Weight = Tensor.Uniform(random, -bound, bound, outChannels, inChannels, kernel, kernel).RequireGrad();
        Bias = Tensor.Uniform(random, -bound, bound, outChannels).RequireGrad();
        Stride = stride;
        Padding = padding;
    }

    /// <summary>A layer with the given parameters (used by model files and tests).</summary>
    public Conv2d(Tensor<T> weight, Tensor<T> bias, int stride, int padding)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(bias);
        if (weight.Rank != 4 || weight.Dim(2) != weight.Dim(3) || bias.Rank != 1 || bias.Dim(0) != weight.Dim(0))
            throw new ArgumentException($"weight {ShapeMath.Format(weight.Shape)} and bias {ShapeMath.Format(bias.Shape)} do not form a conv2d layer");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        Weight = weight.RequireGrad();
        Bias = bias.RequireGrad();
        Stride = stride;
        Padding = padding;
    }

    /// <summary>The kernels, [out channels, in channels, kernel, kernel].</summary>
    public Tensor<T> Weight { get; }
    /// <summary>One bias per output channel.</summary>
    public Tensor<T> Bias { get; }
    /// <summary>The step between windows, in pixels.</summary>
    public int Stride { get; }
    /// <summary>Zero pixels added on each side of the input.</summary>
    public int Padding { get; }
    /// <summary>Channels the input must have.</summary>
    public int InChannels => Weight.Dim(1);
    /// <summary>Channels of the output (one per kernel).</summary>
    public int OutChannels => Weight.Dim(0);
    /// <summary>The side of the square kernel.</summary>
    public int Kernel => Weight.Dim(2);

    /// <inheritdoc/>
    public override Tensor<T> Forward(Tensor<T> input) => Tensor<T>.Conv2d(input, Weight, Bias, Stride, Padding);

    /// <inheritdoc/>
    public override IEnumerable<(string Name, Tensor<T> Parameter)> NamedParameters() => [("weight", Weight), ("bias", Bias)];

    /// <inheritdoc/>
    public override string ToString() =>
        $"Conv2d({InChannels}, {OutChannels}, kernel_size={Kernel}, stride={Stride}, padding={Padding})";
}
