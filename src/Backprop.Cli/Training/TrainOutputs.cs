namespace Backprop.Cli.Training;

/// <summary>Where a training run writes: the model, the plot, the report format, checkpoints.</summary>
internal sealed record TrainOutputs(string? ModelPath, string? PlotPath, bool Json, string? CheckpointDirectory, string? ResumeDirectory);
