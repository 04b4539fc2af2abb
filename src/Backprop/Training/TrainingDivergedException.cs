namespace Backprop.Training;

/// <summary>The training loss, a weight or the test loss became NaN or infinite.</summary>
public sealed class TrainingDivergedException : Exception
{
    public TrainingDivergedException(int epoch, int batch, double loss)
        : base($"training diverged: the loss became {loss} in epoch {epoch}, batch {batch}; try a smaller --lr")
    {
        Epoch = epoch;
        Batch = batch;
    }

    /// <summary>Divergence found at the end of an epoch (<paramref name="what"/> says where; <paramref name="hint"/> what to try).</summary>
    public TrainingDivergedException(int epoch, string what, string hint = "try a smaller --lr")
        : base($"training diverged: {what} after epoch {epoch}; {hint}")
    {
        Epoch = epoch;
    }

    public int Epoch { get; }

    /// <summary>The batch whose loss was not finite; 0 when found at the end of the epoch.</summary>
    public int Batch { get; }
}
