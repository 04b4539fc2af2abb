namespace Backprop;

// NOTE: in Kernels/ (the lowest layer) because the fused kernels take an Activation too; the namespace is
// Backprop so that users write `Activation.Relu` without another using.

/// <summary>The activation functions a dense layer can apply.</summary>
public enum Activation
{
    /// <summary>f(z) = z: no activation.</summary>
    Identity,
    /// <summary>f(z) = 1 / (1 + e^−z).</summary>
    Sigmoid,
    /// <summary>f(z) = tanh z.</summary>
    Tanh,
    /// <summary>f(z) = max(z, 0).</summary>
    Relu,
    /// <summary>f(z) = z for z > 0, else 0.01·z.</summary>
    LeakyRelu,
    /// <summary>f(z) = log(1 + e^z), a smooth ReLU.</summary>
    Softplus,
    /// <summary>f(z) = z·Φ(z), with the exact normal CDF (PyTorch's default GELU).</summary>
    Gelu,
}

/// <summary>The names activations have in model files and on the command line ("relu", "leaky_relu", …).</summary>
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

    /// <summary>Every accepted name, for error messages and help.</summary>
    public static IEnumerable<string> All => ByName.Keys;

    /// <summary>The activation called <paramref name="name"/>, if any.</summary>
    public static bool TryParse(string name, out Activation activation) => ByName.TryGetValue(name, out activation);

    // NOTE: an undefined value (a cast int) used to fail here as "Sequence contains no matching element".
    /// <summary>The name of <paramref name="activation"/> in model files and on the command line.</summary>
    public static string Name(this Activation activation) =>
        ByName.FirstOrDefault(pair => pair.Value == activation).Key
        ?? throw new ArgumentOutOfRangeException(nameof(activation), activation, "not an activation (one of " + string.Join(", ", ByName.Keys) + ")");
}
