namespace Backprop;

/// <summary>One parameter's comparison of autograd with finite differences.</summary>
/// <param name="MaxRelativeError">The largest <see cref="GradientCheck.RelativeError"/> over the parameter's elements.</param>
/// <param name="WorstIndex">The flat (row-major) index of the element with that error.</param>
/// <param name="Analytic">Autograd's gradient at that element.</param>
/// <param name="Numeric">The finite-difference estimate at that element.</param>
public sealed record ParameterCheck(string Name, double MaxRelativeError, int WorstIndex, double Analytic, double Numeric);

/// <summary>The outcome of a gradient check: the worst agreement found in each parameter.</summary>
public sealed record GradientCheckResult(IReadOnlyList<ParameterCheck> Parameters)
{
    /// <summary>The floor of the relative error's denominator that the comparison used (<see cref="GradientCheck.FloorFor"/>).</summary>
    public double Floor { get; init; } = GradientCheck.Floor;

    /// <summary>The largest error over all parameters (+∞ if any comparison was NaN).</summary>
    public double MaxRelativeError => Parameters.Aggregate(0.0, (max, parameter) => Math.Max(max, parameter.MaxRelativeError));

    /// <summary>Whether every element of every parameter agrees with its finite difference within <paramref name="tolerance"/>.</summary>
    public bool Passed(double tolerance = GradientCheck.Tolerance) => MaxRelativeError < tolerance;
}

/// <summary>
/// Checks autograd against central finite differences in float64 (the first of the three gradient oracles).
/// </summary>
/// <remarks>
/// The error of one element is |a − n| / max(|a|, |n|, floor), with floor = 1e-6 × max(1, |C|) for a loss C
/// (<see cref="FloorFor"/>): relative where the gradient is not tiny beside the loss, and absolute below that, so an
/// exact zero compared with 1e-17 of noise, or a gradient below what a finite difference of C resolves, does not
/// count as a large error. NaN on either side counts as an infinite error.
/// </remarks>
public static class GradientCheck
{
    /// <summary>The contract's threshold: `backprop gradcheck` passes when every error is below this.</summary>
    public const double Tolerance = 1e-6;

    /// <summary>The floor of the relative error's denominator.</summary>
    public const double Floor = 1e-8;

    /// <summary>The floor, relative to the loss, below which <see cref="Check"/> and <see cref="CheckExtrapolated(Func{Tensor{double}}, IEnumerable{ValueTuple{string, Tensor{double}}}, double)"/>
    /// compare gradients absolutely (see <see cref="FloorFor"/>).</summary>
    public const double LossFloor = 1e-6;

    /// <summary>
    /// Plain central differences, (C(p + h) − C(p − h)) / 2h with h = <paramref name="step"/>: cheap (two loss
    /// evaluations per element) and accurate to about 1e-8 relative where the loss and the gradient are of
    /// similar size. <paramref name="loss"/> must rebuild the loss from the parameters' current values.
    /// </summary>
    public static GradientCheckResult Check(Func<Tensor<double>> loss, IEnumerable<(string Name, Tensor<double> Parameter)> parameters, double step = 1e-6) =>
        Compare(loss, parameters, (_, _, lossAt, value, _) => CentralDifference(lossAt, value, step));

    /// <summary>
    /// Central differences refined by Richardson extrapolation (Ridders' method): differences at a step h, h/2,
    /// h/4, … are combined to cancel the h², h⁴, … error terms, and the estimate with the smallest error estimate
    /// wins; this runs from four first steps (10, 3, 1 and 0.3 × <paramref name="initialStep"/>) and keeps the
    /// best. It resolves gradients that are tiny beside the loss (the notebook's ∂C/∂b1 is −2.9e-4 against
    /// C = 5227) to about 1e-8, where plain differences cannot: their round-off, about 1e-16·C/h, swamps such a
    /// gradient at any step small enough to keep the h² error down. The floor remains: no finite difference
    /// resolves a gradient much below 1e-16·C/h. Three smaller first steps (0.1, 0.03 and 0.01 × <paramref name="initialStep"/>)
    /// stay where the loss is smooth when the large ones reach past a bend (a tanh saturating under large inputs); an
    /// estimate that disagrees with theirs is not believed (see <see cref="BestConsistent"/>). Costs up to 7 × 2 × 12
    /// loss evaluations per element. Kinks (relu at 0) within the step make any finite difference unreliable.
    /// </summary>
    public static GradientCheckResult CheckExtrapolated(Func<Tensor<double>> loss, IEnumerable<(string Name, Tensor<double> Parameter)> parameters, double initialStep = 0.1) =>
        CheckExtrapolated(loss, parameters, (_, _) => initialStep);

    /// <summary><see cref="CheckExtrapolated(Func{Tensor{double}}, IEnumerable{ValueTuple{string, Tensor{double}}}, double)"/>
    /// with a first step chosen per element (by parameter name and flat index), for losses that bend near some elements.</summary>
    public static GradientCheckResult CheckExtrapolated(Func<Tensor<double>> loss, IEnumerable<(string Name, Tensor<double> Parameter)> parameters,
        Func<string, int, double> initialStep) =>
        Compare(loss, parameters, (name, index, lossAt, value, floor) =>
        {
            double first = initialStep(name, index);
            var large = LargeStepScales.Select(scale => ExtrapolatedDifference(lossAt, value, scale * first)).ToArray();
            var small = SmallStepScales.Select(scale => ExtrapolatedDifference(lossAt, value, scale * first)).ToArray();
            return BestConsistent(large, small, floor);
        });

    private static readonly double[] LargeStepScales = [10, 3, 1, 0.3];
    private static readonly double[] SmallStepScales = [0.1, 0.03, 0.01];

    /// <summary>How far, in the small steps' uncertainty, a large step's estimate may lie from theirs and still be believed.</summary>
    private const double AgreementMargin = 4;

    /// <summary>The large steps' best estimate among those that agree with the small steps'; the small steps' best
    /// where none does.</summary>
    /// <remarks>NOTE: large steps can reach past a bend of the loss and still agree with one another: under inputs of
    /// 168 a tanh at z = −88 is flat to the bit (its gradient is exactly 0) while a step of 1 reaches where it is not,
    /// and Ridders believed 5.45 (error estimate 3.1); a tanh at z = −2 under an input of 30 stopped its large steps'
    /// extrapolation at an error of 2e-5 (failing a correct gradient at 3.3e-6) where a first step of 0.01 reached
    /// 7e-15. The small steps' uncertainty is their best error estimate or their spread, whichever is larger: at the
    /// round-off floor one of them can claim 5e-18 and be 4e-11 off, so they are a check on the large steps, which
    /// resolve tiny gradients better, and replace them only where the large steps disagree by more than that and
    /// more than a tenth of the tolerance.</remarks>
    private static double BestConsistent((double Derivative, double Error)[] large, (double Derivative, double Error)[] small, double floor)
    {
        var reference = BestOf(small);
        double uncertainty = small.Select(estimate => Math.Abs(estimate.Derivative - reference.Derivative)).Append(reference.Error).Max();
        var agreeing = large.Where(estimate =>
            Math.Abs(estimate.Derivative - reference.Derivative) <= AgreementMargin * uncertainty
            || RelativeError(estimate.Derivative, reference.Derivative, floor) < Tolerance / 10).ToArray();
        return (agreeing.Length > 0 ? BestOf(agreeing) : reference).Derivative;
    }

    // NOTE: an error estimate of exactly 0 means two estimates agreed to the bit, which at the round-off floor is luck,
    // not accuracy (a saturated sigmoid's bias: the "exact" estimate was off by 1.8e-4, the next best by 1.4e-5). It is
    // believed only when every estimate says so (a loss linear in the parameter).
    private static (double Derivative, double Error) BestOf((double Derivative, double Error)[] estimates)
    {
        var trusted = estimates.Where(estimate => estimate.Error > 0).ToArray();
        return (trusted.Length > 0 ? trusted : estimates).MinBy(estimate => estimate.Error);
    }

    /// <summary>|a − n| / max(|a|, |n|, <paramref name="floor"/>); +∞ when either is NaN.</summary>
    public static double RelativeError(double analytic, double numeric, double floor = Floor)
    {
        if (double.IsNaN(analytic) || double.IsNaN(numeric)) return double.PositiveInfinity;
        if (analytic == numeric) return 0; // also equal infinities
        return Math.Abs(analytic - numeric) / Math.Max(Math.Max(Math.Abs(analytic), Math.Abs(numeric)), floor);
    }

    /// <summary>The floor of the relative error's denominator for a loss of this size: <see cref="LossFloor"/> × max(1, |C|).
    /// A gradient smaller than that is compared absolutely: it passes within 1e-12 × max(1, |C|) of the estimate.</summary>
    /// <remarks>NOTE: a finite difference of C cannot resolve a gradient much below 1e-16·|C|/h, and rounding in the
    /// ops between parameter and loss adds to that (2e-14·|C| in practice), whatever the gradient's truth. With a
    /// fixed floor of 1e-8, correct gradients failed: a saturated sigmoid's bias gradient of 4e-7 beside C = 9801 at
    /// 1.8e-4, and 21 of 100 random networks with weights of σ = 2.5 (5 of 100 with this floor).</remarks>
    public static double FloorFor(double loss) => LossFloor * Math.Max(1, double.IsFinite(loss) ? Math.Abs(loss) : 1);

    /// <summary>(f(x + h) − f(x − h)) / 2h, dividing by the distance between the two points as actually rounded.</summary>
    public static double CentralDifference(Func<double, double> function, double x, double step)
    {
        ArgumentNullException.ThrowIfNull(function);
        double up = x + step, down = x - step;
        return (function(up) - function(down)) / (up - down);
    }

    /// <summary>Ridders' extrapolation of central differences (Numerical Recipes' dfridr, step ratio 2), with
    /// its own error estimate.</summary>
    public static (double Derivative, double Error) ExtrapolatedDifference(Func<double, double> function, double x, double initialStep)
    {
        ArgumentNullException.ThrowIfNull(function);
        const int Rounds = 12;
        const double Ratio = 2, RatioSquared = Ratio * Ratio, Safety = 2;
        var table = new double[Rounds, Rounds];
        double step = initialStep;
        table[0, 0] = CentralDifference(function, x, step);
        double best = table[0, 0], bestError = double.MaxValue;
        for (int i = 1; i < Rounds; i++)
        {
            step /= Ratio;
            table[0, i] = CentralDifference(function, x, step);
            double factor = RatioSquared;
            for (int j = 1; j <= i; j++)
            {
                // Each column cancels the next even power of h.
                table[j, i] = (table[j - 1, i] * factor - table[j - 1, i - 1]) / (factor - 1);
                factor *= RatioSquared;
                double error = Math.Max(Math.Abs(table[j, i] - table[j - 1, i]), Math.Abs(table[j, i] - table[j - 1, i - 1]));
                if (error <= bestError)
                {
                    bestError = error;
                    best = table[j, i];
                }
            }
            // Higher orders got worse by a clear margin: round-off has taken over.
            if (Math.Abs(table[i, i] - table[i - 1, i - 1]) >= Safety * bestError) break;
        }
        return (best, bestError);
    }

    private static GradientCheckResult Compare(
        Func<Tensor<double>> loss,
        IEnumerable<(string Name, Tensor<double> Parameter)> parameters,
        Func<string, int, Func<double, double>, double, double, double> differentiate)
    {
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(parameters);
        var named = parameters.ToArray();
        foreach (var (_, parameter) in named) parameter.Grad = null;
        var lossValue = loss();
        lossValue.Backward();
        double floor = FloorFor(lossValue.Item());
        var analytic = named.Select(pair => pair.Parameter.Grad?.ToArray() ?? new double[pair.Parameter.Length]).ToArray();

        var checks = new ParameterCheck[named.Length];
        using var _ = GradMode.NoGradOnThread();
        for (int p = 0; p < named.Length; p++)
        {
            var (name, parameter) = named[p];
            var check = new ParameterCheck(name, 0, 0, 0, 0);
            for (int index = 0; index < parameter.Length; index++)
            {
                double original = parameter.Data[index];
                double numeric = differentiate(name, index, value =>
                {
                    parameter.Data[index] = value;
                    return loss().Item();
                }, original, floor);
                parameter.Data[index] = original;
                double error = RelativeError(analytic[p][index], numeric, floor);
                if (error > check.MaxRelativeError || index == 0)
                    check = new ParameterCheck(name, error, index, analytic[p][index], numeric);
            }
            checks[p] = check;
        }
        return new GradientCheckResult(checks) { Floor = floor };
    }
}
