namespace Backprop.Optim;

/// <summary>
/// torch.optim.lr_scheduler.CosineAnnealingLR in its closed form:
/// lr = η_min + (lr₀ − η_min)·(1 + cos(π·epoch / T_max)) / 2.
/// Past T_max the cosine carries on (back up), as torch's does.
/// </summary>
public sealed class CosineAnnealingLr : LearningRateSchedule
{
    /// <summary>Anneals the rate along a half cosine to <paramref name="etaMin"/> over <paramref name="tMax"/> epochs (torch.optim.lr_scheduler.CosineAnnealingLR).</summary>
    public CosineAnnealingLr(int tMax, double etaMin = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tMax);
        if (!double.IsFinite(etaMin) || etaMin < 0) throw new ArgumentOutOfRangeException(nameof(etaMin), etaMin, "must be finite and ≥ 0");
        (TMax, EtaMin) = (tMax, etaMin);
    }

    /// <summary>Epochs from the initial rate to the minimum.</summary>
    public int TMax { get; }

    /// <summary>The lowest rate.</summary>
    public double EtaMin { get; }

    // NOTE: torch steps by a chained ratio; it equals this closed form up to rounding (≈1e-16 relative).
    /// <inheritdoc/>
    public override double LearningRateAt(int epoch, double initialLearningRate) =>
        EtaMin + (initialLearningRate - EtaMin) * (1 + Math.Cos(Math.PI * epoch / TMax)) / 2;

    /// <inheritdoc/>
    public override string ToString() => $"CosineAnnealingLr(T_max={TMax}, eta_min={EtaMin})";
}
