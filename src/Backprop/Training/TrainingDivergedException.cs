namespace Backprop.Training;

/// <summary>The training loss, a weight or the test loss became NaN or infinite.</summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>The usual hint when a loss goes to infinity or NaN.</summary>
    public const string SmallerLearningRate = "try a smaller --lr";

    /// <summary>The loss became <paramref name="loss"/> (NaN or infinite) at <paramref name="batch"/> of <paramref name="epoch"/>.</summary>
    public TrainingDivergedException(int epoch, int batch, double loss)
        : this(epoch, batch, $"the loss became {loss} in epoch {epoch}, batch {batch}", SmallerLearningRate)
    {
    }

    /// <summary>Divergence found at the end of an epoch (<paramref name="what"/> says where; <paramref name="hint"/> what to try).</summary>
    public TrainingDivergedException(int epoch, string what, string hint = SmallerLearningRate)
        : this(epoch, 0, $"{what} after epoch {epoch}", hint)
    {
    }

    private TrainingDivergedException(int epoch, int batch, string what, string hint)
        : base($"training diverged: {what}; {hint}")
    {
        Epoch = epoch;
        Batch = batch;
        What = what;
    }

    /// <summary>The epoch (from 1) in which training diverged.</summary>
    public int Epoch { get; }

    /// <summary>The batch whose loss was not finite; 0 when found at the end of the epoch.</summary>
    public int Batch { get; }

    /// <summary>What became non-finite, and where, without the hint.</summary>
    public string What { get; }

    /// <summary>The same divergence with another suggestion of what to try (the caller knows its settings better).</summary>
    public TrainingDivergedException WithHint(string hint) => new(Epoch, Batch, What, hint);
}
