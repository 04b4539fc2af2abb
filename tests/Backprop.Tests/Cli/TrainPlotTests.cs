using Backprop.Training;
namespace Backprop.Tests.Cli;

public sealed class TrainPlotTests(TrainedModels models) : IClassFixture<TrainedModels>
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public void Train_plot_writes_a_png_image()
    {
        string plot = Path.Combine(models.Folder, "curves.png");

        CliRunner.Succeed("train", "--data", models.TrainCsv, "--target", "label", "--epochs", "3", "--layers", "8", "--format", "json", "--plot", plot);

        Assert.Equal(PngSignature, File.ReadAllBytes(plot)[..8]);
    }

    [Fact]
    public void Train_plot_writes_an_svg_image_for_a_regression_run()
    {
        string plot = Path.Combine(models.Folder, "curves.svg");

        CliRunner.Succeed("train", "--data", models.RegressionCsv, "--epochs", "3", "--layers", "8", "--format", "json", "--plot", plot);

        string svg = File.ReadAllText(plot).TrimStart();
        Assert.True(svg.StartsWith("<svg", StringComparison.Ordinal) || svg.StartsWith("<?xml", StringComparison.Ordinal), svg[..Math.Min(40, svg.Length)]);
        Assert.Contains("</svg>", svg);
    }

    [Theory]
    [InlineData("curves.gif")]
    [InlineData("curves")]
    public void Train_plot_with_another_extension_exits_2_before_training(string name)
    {
        var result = CliRunner.Run("train", "--data", models.TrainCsv, "--epochs", "1", "--plot", Path.Combine(models.Folder, name));

        Assert.Equal(2, result.Code);
        Assert.StartsWith("error: --plot", Assert.Single(result.ErrorLines));
        Assert.Equal("", result.Out);
    }

    [Fact]
    public void Train_plot_into_a_missing_folder_exits_2_before_training()
    {
        var result = CliRunner.Run("train", "--data", models.TrainCsv, "--epochs", "1", "--plot", Path.Combine(models.Folder, "no-such-folder", "c.png"));

        Assert.Equal(2, result.Code);
        Assert.StartsWith("error: --plot", Assert.Single(result.ErrorLines));
    }
}

public sealed class PlotFontTests
{
    [Fact]
    public void The_plot_font_is_embedded_so_plots_have_text_on_a_machine_without_fonts()
    {
        using var typeface = new Backprop.Cli.Training.PlotFont().CreateTypeface(Backprop.Cli.Training.PlotFont.Name, bold: false, italic: false);

        Assert.NotNull(typeface);
        Assert.Equal("DejaVu Sans", typeface.FamilyName);
        Assert.True(typeface.GlyphCount > 500);
    }

    [Fact]
    public void A_loss_near_float32s_limit_squared_keeps_short_axis_labels_and_a_wide_plot_area()
    {
        // Regression targets near 1e38 have losses near 1e76: every digit of such a label squeezed the curves to a sliver.
        EpochMetrics Epoch(int epoch, double loss) => new(epoch, loss, loss / 3, null, Math.Sqrt(loss / 3), 0.5, 0.002, 0.1);
        using var plot = Backprop.Cli.Training.TrainingPlot.Build([Epoch(1, 1.27e76), Epoch(2, 7.8e75), Epoch(3, 5.3e75)], classification: false, "big.csv");

        plot.GetImageBytes(900, 520, ScottPlot.ImageFormat.Png);

        Assert.InRange(plot.RenderManager.LastRender.DataRect.Width, 600, 900);
        Assert.Equal("1.25E+76", Backprop.Cli.Training.TrainingPlot.LossTickLabel(1.25e76));
        Assert.Equal("0.5", Backprop.Cli.Training.TrainingPlot.LossTickLabel(0.5));
    }
}
