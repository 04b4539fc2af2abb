namespace Backprop.Tests.Ops;

/// <summary>Central finite differences in float64: the oracle that autograd is checked against.</summary>
internal static class FiniteDifferences
{
    /// <summary>The largest relative error between autograd's gradient and (f(x+h) − f(x−h)) / 2h over every
    /// element of every input. <paramref name="loss"/> must rebuild the graph from the inputs' current values.</summary>
    public static double MaxRelativeError(Func<Tensor<double>> loss, params Tensor<double>[] inputs)
    {
        foreach (var input in inputs) { input.RequiresGrad = true; input.Grad = null; }
        loss().Backward();
        double worst = 0;
        using var _ = GradMode.NoGrad();
        foreach (var input in inputs)
        {
            var data = input.Data;
            for (int i = 0; i < data.Length; i++)
            {
                double original = data[i];
                double step = 1e-5 * Math.Max(1.0, Math.Abs(original));
                data[i] = original + step;
                double plus = loss().Item();
                data[i] = original - step;
                double minus = loss().Item();
                data[i] = original;
                double numeric = (plus - minus) / (2 * step);
                double analytic = input.Grad?.Data[i] ?? 0.0;
                // Relative where the gradient is large, absolute where it is small (rounding in f limits both).
                double error = Math.Abs(analytic - numeric) / Math.Max(1.0, Math.Max(Math.Abs(analytic), Math.Abs(numeric)));
                worst = Math.Max(worst, error);
            }
        }
        return worst;
    }

    /// <summary>A random linear functional Σ wᵢ·outᵢ, so every output element gets a different gradient.</summary>
    public static Tensor<double> Weighted(Tensor<double> output, Random random) =>
        (output * Tensor.Normal(random, 0.0, 1.0, output.Shape.ToArray())).Sum();
}
