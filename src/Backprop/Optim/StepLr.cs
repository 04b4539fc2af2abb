namespace Backprop.Optim;

/// <summary>torch.optim.lr_scheduler.StepLR: lr = lr₀ · γ^⌊epoch / stepSize⌋.</summary>
public sealed class StepLr : LearningRateSchedule
{
    public StepLr(int stepSize, double gamma = 0.1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepSize);
        if (!double.IsFinite(gamma) || gamma < 0) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "must be finite and ≥ 0");
        (StepSize, Gamma) = (stepSize, gamma);
    }

    public int StepSize { get; }

    public double Gamma { get; }

    public override double LearningRateAt(int epoch, double initialLearningRate) =>
        initialLearningRate * Math.Pow(Gamma, epoch / StepSize);

    public override string ToString() => $"StepLr(step_size={StepSize}, gamma={Gamma})";
}
