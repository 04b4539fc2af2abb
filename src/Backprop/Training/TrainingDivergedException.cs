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

    /// <summary>Divergence found at the end of an epoch (<paramref name="what"/> says where).</summary>
    public TrainingDivergedException(int epoch, string what)
        : base($"training diverged: {what} after epoch {epoch}; try a smaller --lr")
    {
        Epoch = epoch;
    }

    public int Epoch { get; }

    /// <summary>The batch whose loss was not finite; 0 when found at the end of the epoch.</summary>
    public int Batch { get; }
}
