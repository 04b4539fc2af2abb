namespace Backprop.Training;

/// <summary>The training loss became NaN or infinite.</summary>
public sealed class TrainingDivergedException(int epoch, int batch, double loss)
    : Exception($"training diverged: the loss became {loss} in epoch {epoch}, batch {batch}; try a smaller --lr")
{
    public int Epoch { get; } = epoch;
    public int Batch { get; } = batch;
}
