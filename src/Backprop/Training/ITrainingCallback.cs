namespace Backprop.Training;

/// <summary>Hooks into <see cref="Trainer"/>: progress display, early stopping, checkpoints.</summary>
public interface ITrainingCallback
{
    /// <summary>Called after each mini-batch with the epoch's running mean loss.</summary>
    void OnBatchEnd(int epoch, int batch, int batchesPerEpoch, double runningLoss, double samplesPerSecond) { }

    /// <summary>Called after each epoch; return false to stop training.</summary>
    bool OnEpochEnd(EpochMetrics metrics) => true;
}

/// <summary>Stops when the test loss has not improved by more than <paramref name="minDelta"/> for
/// <paramref name="patience"/> epochs.</summary>
public sealed class EarlyStopping(int patience, double minDelta = 0) : ITrainingCallback
{
    // NOTE: checked here because a patience below 1 acted as 1, and a NaN minDelta made no loss an improvement,
    // so training stopped after `patience` epochs however well it went.
    private readonly int patience = patience >= 1 ? patience
        : throw new ArgumentOutOfRangeException(nameof(patience), patience, "early stopping needs a patience of at least 1 epoch");
    private readonly double minDelta = double.IsFinite(minDelta) && minDelta >= 0 ? minDelta
        : throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, "the smallest improvement must be finite and >= 0");
    private double best = double.PositiveInfinity;
    private int epochsWithoutImprovement;

    /// <summary>The epoch after which it asked training to stop; null while it has not.</summary>
    public int? StoppedAtEpoch { get; private set; }

    /// <inheritdoc/>
    public bool OnEpochEnd(EpochMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        // NOTE: a loss that is not finite (test samples that overflow the network) says nothing about improvement.
        if (metrics.TestLoss is not { } loss || !double.IsFinite(loss)) return true;
        if (loss < best - minDelta)
        {
            best = loss;
            epochsWithoutImprovement = 0;
            return true;
        }
        if (++epochsWithoutImprovement < patience) return true;
        StoppedAtEpoch = metrics.Epoch;
        return false;
    }
}
