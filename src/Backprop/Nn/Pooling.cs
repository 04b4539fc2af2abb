using System.Numerics;

namespace Backprop.Nn;

/// <summary>The largest value of each kernel × kernel window of [N, C, H, W], windows <see cref="Stride"/> apart.</summary>
public sealed class MaxPool2d<T>(int kernel, int? stride = null) : Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The side of the square window.</summary>
    public int Kernel { get; } = kernel > 0 ? kernel : throw new ArgumentOutOfRangeException(nameof(kernel), $"pooling kernel must be positive, got {kernel}");
    /// <summary>The step between windows (the kernel unless given).</summary>
    public int Stride { get; } = stride is null or > 0 ? stride ?? kernel : throw new ArgumentOutOfRangeException(nameof(stride), $"pooling stride must be positive, got {stride}");

    /// <inheritdoc/>
    public override Tensor<T> Forward(Tensor<T> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.MaxPool2d(Kernel, Stride);
    }

    /// <inheritdoc/>
    public override string ToString() => $"MaxPool2d(kernel_size={Kernel}, stride={Stride})";
}

/// <summary>The mean of each kernel × kernel window of [N, C, H, W], windows <see cref="Stride"/> apart.</summary>
public sealed class AvgPool2d<T>(int kernel, int? stride = null) : Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The side of the square window.</summary>
    public int Kernel { get; } = kernel > 0 ? kernel : throw new ArgumentOutOfRangeException(nameof(kernel), $"pooling kernel must be positive, got {kernel}");
    /// <summary>The step between windows (the kernel unless given).</summary>
    public int Stride { get; } = stride is null or > 0 ? stride ?? kernel : throw new ArgumentOutOfRangeException(nameof(stride), $"pooling stride must be positive, got {stride}");

    /// <inheritdoc/>
    public override Tensor<T> Forward(Tensor<T> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.AvgPool2d(Kernel, Stride);
    }

    /// <inheritdoc/>
    public override string ToString() => $"AvgPool2d(kernel_size={Kernel}, stride={Stride})";
}
