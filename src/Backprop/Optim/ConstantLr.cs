namespace Backprop.Optim;

/// <summary>
/// torch.optim.lr_scheduler.ConstantLR: lr = lr₀·factor for epochs before <see cref="TotalIterations"/>,
/// lr₀ after. The defaults (factor 1, no iterations) keep the rate constant.
/// </summary>
public sealed class ConstantLr : LearningRateSchedule
{
    public ConstantLr(double factor = 1, int totalIterations = 0)
    {
        if (!(factor >= 0 && factor <= 1)) throw new ArgumentOutOfRangeException(nameof(factor), factor, "must lie in [0, 1]");
        ArgumentOutOfRangeException.ThrowIfNegative(totalIterations);
        (Factor, TotalIterations) = (factor, totalIterations);
    }

    public double Factor { get; }

    public int TotalIterations { get; }

    public override double LearningRateAt(int epoch, double initialLearningRate) =>
        epoch < TotalIterations ? initialLearningRate * Factor : initialLearningRate;

    public override string ToString() => $"ConstantLr(factor={Factor}, total_iters={TotalIterations})";
}
