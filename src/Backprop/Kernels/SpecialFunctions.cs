namespace Backprop.Kernels;

/// <summary>Functions .NET's Math lacks.</summary>
public static class SpecialFunctions
{
    private const double TwoOverSqrtPi = 1.1283791670955126;

    /// <summary>The error function to float64 precision.</summary>
    /// <remarks>NOTE: uses erf(x) = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)): every term is positive, so
    /// unlike the Taylor series it loses no digits to cancellation. Beyond |x| = 6, erf rounds to ±1 in float64.</remarks>
    public static double Erf(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        double absolute = Math.Abs(x);
        if (absolute >= 6.0) return Math.Sign(x);
        double square = absolute * absolute;
        double term = absolute, sum = absolute;
        for (int n = 1; n < 500; n++)
        {
            term *= 2.0 * square / (2 * n + 1);
            sum += term;
            if (term < sum * 1e-17) break;
        }
        double result = TwoOverSqrtPi * Math.Exp(-square) * sum;
        return x < 0 ? -result : result;
    }
}
