namespace Backprop;

// NOTE: in Kernels/ (the lowest layer) because the fused kernels take an Activation too; the namespace is
// Backprop so that users write `Activation.Relu` without another using.

/// <summary>The activation functions a dense layer can apply.</summary>
public enum Activation
{
    Identity,
    Sigmoid,
    Tanh,
    Relu,
    LeakyRelu,
    Softplus,
    Gelu,
}

public static class ActivationNames
{
    private static readonly Dictionary<string, Activation> ByName = new(StringComparer.Ordinal)
    {
        ["identity"] = Activation.Identity,
        ["sigmoid"] = Activation.Sigmoid,
        ["tanh"] = Activation.Tanh,
        ["relu"] = Activation.Relu,
        ["leaky_relu"] = Activation.LeakyRelu,
        ["softplus"] = Activation.Softplus,
        ["gelu"] = Activation.Gelu,
    };

    public static IEnumerable<string> All => ByName.Keys;

    public static bool TryParse(string name, out Activation activation) => ByName.TryGetValue(name, out activation);

    // NOTE: an undefined value (a cast int) used to fail here as "Sequence contains no matching element".
    public static string Name(this Activation activation) =>
        ByName.FirstOrDefault(pair => pair.Value == activation).Key
        ?? throw new ArgumentOutOfRangeException(nameof(activation), activation, "not an activation (one of " + string.Join(", ", ByName.Keys) + ")");
}
