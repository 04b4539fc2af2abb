using System.Numerics;

namespace Backprop.Nn;

/// <summary>[N, d1, d2, …] → [N, d1·d2·…]: from convolution feature maps to the rows a dense layer takes.</summary>
public sealed class Flatten<T> : Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc/>
    public override Tensor<T> Forward(Tensor<T> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        // The width is the product of the trailing sizes, not Length / N, which an empty batch would make 0 / 0.
        return input.Rank <= 2 ? input : input.Reshape(input.Dim(0), (int)ShapeMath.Product(input.Shape[1..]));
    }

    /// <inheritdoc/>
    public override string ToString() => "Flatten()";
}
