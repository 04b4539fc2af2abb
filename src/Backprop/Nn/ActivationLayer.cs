using System.Numerics;

namespace Backprop.Nn;

/// <summary>An activation function as a layer with no parameters.</summary>
public sealed class ActivationLayer<T>(Activation activation) : Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The function applied elementwise.</summary>
    public Activation Activation { get; } = Enum.IsDefined(activation) ? activation
        : throw new ArgumentOutOfRangeException(nameof(activation), activation, "not an activation");

    /// <inheritdoc/>
    public override Tensor<T> Forward(Tensor<T> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Apply(Activation);
    }

    /// <inheritdoc/>
    public override string ToString() => Activation.Name();
}
