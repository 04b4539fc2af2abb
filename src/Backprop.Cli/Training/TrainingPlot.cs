using Backprop.Training;

namespace Backprop.Cli.Training;

/// <summary>Draws per-epoch loss (and accuracy) curves into a PNG or SVG file.</summary>
internal static class TrainingPlot
{
    public static bool IsSupported(string path) =>
        Path.GetExtension(path).ToLowerInvariant() is ".png" or ".svg";

    public static void Draw(string path, IReadOnlyList<EpochMetrics> epochs, bool classification) =>
        throw new UsageException("--plot is not available yet"); // replaced by the ScottPlot renderer
}
