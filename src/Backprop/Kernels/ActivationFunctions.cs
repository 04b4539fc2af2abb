namespace Backprop.Kernels;

/// <summary>
/// The scalar activation functions and their derivatives, in forms that never overflow: no NaN or ∞ at ±1000.
/// Both the autograd ops and the fused training kernels call these, so they agree to the last bit.
/// Derivatives take the input x and the already-computed output y, whichever is cheaper to use.
/// </summary>
public static class ActivationFunctions
{
    private const double InverseSqrtTwo = 0.70710678118654752;
    private const double InverseSqrtTwoPi = 0.3989422804014327;
    /// <summary>Leaky ReLU's slope for negative inputs (PyTorch's default).</summary>
    public const double LeakySlope = 0.01;

    /// <summary>σ(x) = 1/(1+e^−x), written so that e^x is only taken of a non-positive number.</summary>
    public static double Sigmoid(double x)
    {
        if (x >= 0) return 1.0 / (1.0 + Math.Exp(-x));
        double e = Math.Exp(x);
        return e / (1.0 + e);
    }

    /// <summary>σ'(z) from the output y = σ(z).</summary>
    public static double SigmoidDerivative(double y) => y * (1.0 - y);

    /// <summary>tanh'(z) from the output y = tanh(z).</summary>
    public static double TanhDerivative(double y) => 1.0 - y * y;

    /// <summary>log(1+eˣ) = max(x, 0) + log1p(e^−|x|).</summary>
    public static double Softplus(double x) => Math.Max(x, 0.0) + LogOnePlus(Math.Exp(-Math.Abs(x)));

    /// <summary>gelu(x) = x·Φ(x) = ½x(1 + erf(x/√2)), the exact form (as PyTorch's default).</summary>
    public static double Gelu(double x) => 0.5 * x * (1.0 + SpecialFunctions.Erf(x * InverseSqrtTwo));

    /// <summary>gelu'(x) = Φ(x) + x·φ(x).</summary>
    public static double GeluDerivative(double x) =>
        0.5 * (1.0 + SpecialFunctions.Erf(x * InverseSqrtTwo)) + x * InverseSqrtTwoPi * Math.Exp(-0.5 * x * x);

    /// <summary>log(1+x), accurate for tiny x (where 1+x would round away the digits).</summary>
    public static double LogOnePlus(double x)
    {
        double u = 1.0 + x;
        return u == 1.0 ? x : Math.Log(u) * x / (u - 1.0);
    }
}
