using System.Globalization;
using Backprop.IO;
using Backprop.Training;
using ScottPlot;

namespace Backprop.Cli.Training;

/// <summary>Draws per-epoch train and test loss (and, for classification, test accuracy on a right-hand axis)
/// into a PNG or SVG file, chosen by the extension.</summary>
internal static class TrainingPlot
{
    private const int Width = 900, Height = 520;

    public static bool IsSupported(string path) =>
        Path.GetExtension(path).ToLowerInvariant() is ".png" or ".svg";

    /// <summary>Checks `--plot FILE` before training, so that a bad path does not cost a whole run.</summary>
    public static void Validate(string path)
    {
        if (!IsSupported(path)) throw new UsageException($"--plot: {path}: the file name must end in .png or .svg");
        if (Directory.Exists(path)) throw new UsageException($"--plot: {path} is a folder");
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null && !Directory.Exists(directory)) throw new UsageException($"--plot: {path}: the folder {directory} does not exist");
    }

    /// <summary>Renders in memory, then writes the file atomically: a failure never leaves half an image.</summary>
    public static void Draw(string path, IReadOnlyList<EpochMetrics> epochs, bool classification, string? dataDescription = null)
    {
        if (!IsSupported(path)) throw new UsageException($"--plot: {path}: the file name must end in .png or .svg");
        using var plot = Build(epochs, classification, dataDescription);
        bool svg = Path.GetExtension(path).Equals(".svg", StringComparison.OrdinalIgnoreCase);
        byte[] content = svg
            ? System.Text.Encoding.UTF8.GetBytes(plot.GetSvgXml(Width, Height))
            : plot.GetImageBytes(Width, Height, ImageFormat.Png);
        AtomicFile.Write(path, stream => stream.Write(content));
    }

    internal static Plot Build(IReadOnlyList<EpochMetrics> epochs, bool classification, string? dataDescription)
    {
        var plot = new Plot();
        double[] epochNumbers = epochs.Select(e => (double)e.Epoch).ToArray();

        var trainLoss = plot.Add.Scatter(epochNumbers, epochs.Select(e => e.TrainLoss).ToArray());
        Style(trainLoss, Colors.C0, "train loss", MarkerShape.FilledCircle);

        // NOTE: a test loss that is not finite (test samples that overflow the network) has no place on the axis.
        var tested = epochs.Where(e => e.TestLoss is { } loss && double.IsFinite(loss)).ToArray();
        if (tested.Length > 0)
        {
            var testLoss = plot.Add.Scatter(tested.Select(e => (double)e.Epoch).ToArray(), tested.Select(e => e.TestLoss!.Value).ToArray());
            Style(testLoss, Colors.C1, "test loss", MarkerShape.FilledCircle);
        }

        string lossName = classification ? "loss (cross-entropy)" : "loss (mean squared error, target units)";
        plot.Axes.Left.Label.Text = lossName;
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = LossTickLabel };
        plot.Axes.Bottom.Label.Text = "epoch";
        // NOTE: epochs are whole numbers; without this a short run gets ticks at 1.5, 2.5, ...
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };

        var accuracies = epochs.Where(e => e.TestAccuracy is not null).ToArray();
        if (classification && accuracies.Length > 0)
        {
            var accuracy = plot.Add.Scatter(accuracies.Select(e => (double)e.Epoch).ToArray(), accuracies.Select(e => e.TestAccuracy!.Value * 100).ToArray());
            Style(accuracy, Colors.C2, "test accuracy (%)", MarkerShape.FilledSquare);
            accuracy.Axes.YAxis = plot.Axes.Right;
            plot.Axes.Right.Label.Text = "test accuracy (%)";
            // The right-hand scale takes its curve's colour, so it is plain which curve it measures.
            plot.Axes.Right.Label.ForeColor = Colors.C2;
            plot.Axes.Right.TickLabelStyle.ForeColor = Colors.C2;
        }

        string title = classification ? "Training: loss and test accuracy per epoch" : "Training: loss per epoch";
        plot.Title(dataDescription is null ? title : $"{title} — {Path.GetFileName(dataDescription.TrimEnd('/', '\\'))}");
        plot.ShowLegend(Alignment.MiddleRight);
        PlotFont.Register();
        plot.Font.Set(PlotFont.Name);
        return plot;
    }

    /// <summary>A loss axis label: ScottPlot's own up to a million, E notation beyond it and below a thousandth.</summary>
    /// <remarks>NOTE: the default labels write every digit: the loss of targets near 1e38 (1e76) got 77-digit labels,
    /// wrong past the 17th, that squeezed the curves into a sliver at the right edge and cut the title off.</remarks>
    internal static string LossTickLabel(double value)
    {
        double size = Math.Abs(value);
        return size != 0 && (size >= 1e6 || size < 1e-3)
            ? value.ToString("0.##E+0", CultureInfo.InvariantCulture)
            : ScottPlot.TickGenerators.LabelFormatters.Numeric(value);
    }

    // NOTE: solid lines only: Skia's SVG backend cannot draw dash patterns (it prints
    // "Unsupported path effect" on stderr and draws them solid), so curves differ by colour and marker.
    private static void Style(ScottPlot.Plottables.Scatter scatter, Color color, string label, MarkerShape marker)
    {
        scatter.LegendText = label;
        scatter.Color = color;
        scatter.LineWidth = 2;
        scatter.MarkerSize = 5;
        scatter.MarkerShape = marker;
    }
}
