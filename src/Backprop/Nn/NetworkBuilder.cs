using System.Numerics;

namespace Backprop.Nn;

/// <summary>Builds common architectures.</summary>
public static class NetworkBuilder
{
    /// <summary>A multilayer perceptron: inputs → hidden widths (each followed by the activation) → outputs.</summary>
    public static Sequential<T> Mlp<T>(int inputs, IReadOnlyList<int> hiddenWidths, int outputs, Activation activation, Random random)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(hiddenWidths);
        ArgumentNullException.ThrowIfNull(random);
        var layers = new List<Module<T>>();
        int width = inputs;
        foreach (int hidden in hiddenWidths)
        {
            if (hidden <= 0) throw new ArgumentOutOfRangeException(nameof(hiddenWidths), $"layer widths must be positive, got {hidden}");
            layers.Add(new Linear<T>(width, hidden, random));
            if (activation != Activation.Identity) layers.Add(new ActivationLayer<T>(activation));
            width = hidden;
        }
        layers.Add(new Linear<T>(width, outputs, random));
        return new Sequential<T>(layers);
    }
}
