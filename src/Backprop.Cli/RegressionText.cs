using System.Globalization;

namespace Backprop.Cli;

/// <summary>How `train` and `eval` print regression metrics that a format string alone gets wrong.</summary>
internal static class RegressionText
{
    // NOTE: R² is not finite either when the target is constant (0/0) or when outputs overflowed; the second also
    // makes the RMSE not finite, and must not be reported as a constant target. `train` printed a bare "R² NaN".
    public static string RSquared(double? r2, double? rmse) => r2 is { } value && double.IsFinite(value)
        ? value.ToString("F4", CultureInfo.InvariantCulture)
        : rmse is { } error && double.IsFinite(error) ? "undefined (constant target)" : "undefined (outputs not finite)";
}
