namespace Backprop.Optim;

/// <summary>
/// torch.optim.lr_scheduler.ConstantLR: lr = lr₀·factor for epochs before <see cref="TotalIterations"/>,
/// lr₀ after. The defaults (factor 1, no iterations) keep the rate constant.
/// </summary>
public sealed class ConstantLr : LearningRateSchedule
{
    /// <summary>The rate times <paramref name="factor"/> for the first <paramref name="totalIterations"/> epochs, then the rate itself (torch.optim.lr_scheduler.ConstantLR).</summary>
    public ConstantLr(double factor = 1, int totalIterations = 0)
    {
        if (!(factor >= 0 && factor <= 1)) throw new ArgumentOutOfRangeException(nameof(factor), factor, "must lie in [0, 1]");
        ArgumentOutOfRangeException.ThrowIfNegative(totalIterations);
        (Factor, TotalIterations) = (factor, totalIterations);
    }

    /// <summary>The multiplier during the first epochs.</summary>
    public double Factor { get; }

    /// <summary>Epochs the multiplier lasts.</summary>
    public int TotalIterations { get; }

    /// <inheritdoc/>
    public override double LearningRateAt(int epoch, double initialLearningRate) =>
        epoch < TotalIterations ? initialLearningRate * Factor : initialLearningRate;

    /// <inheritdoc/>
    public override string ToString() => $"ConstantLr(factor={Factor}, total_iters={TotalIterations})";
}
