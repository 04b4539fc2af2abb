namespace Backprop.Optim;

/// <summary>torch.optim.lr_scheduler.StepLR: lr = lr₀ · γ^⌊epoch / stepSize⌋.</summary>
public sealed class StepLr : LearningRateSchedule
{
    /// <summary>Multiplies the rate by <paramref name="gamma"/> every <paramref name="stepSize"/> epochs (torch.optim.lr_scheduler.StepLR).</summary>
    public StepLr(int stepSize, double gamma = 0.1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepSize);
        if (!double.IsFinite(gamma) || gamma < 0) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "must be finite and ≥ 0");
        (StepSize, Gamma) = (stepSize, gamma);
    }

    /// <summary>Epochs between decays.</summary>
    public int StepSize { get; }

    /// <summary>The factor applied at each decay.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    public override double LearningRateAt(int epoch, double initialLearningRate) =>
        initialLearningRate * Math.Pow(Gamma, epoch / StepSize);

    /// <inheritdoc/>
    public override string ToString() => $"StepLr(step_size={StepSize}, gamma={Gamma})";
}
