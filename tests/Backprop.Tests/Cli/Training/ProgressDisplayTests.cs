using Backprop.Cli.Training;
using Backprop.Training;
using Spectre.Console;

namespace Backprop.Tests.Cli.Training;

public sealed class ProgressDisplayTests
{
    private static EpochMetrics Regression(double trainLoss) =>
        new(1, trainLoss, trainLoss, null, Math.Sqrt(trainLoss), 0.5, 0.002, 0.1);

    [Theory]
    [InlineData(8.2135736e-13, "train_loss 8.2136E-13  test_loss 8.2136E-13")]
    [InlineData(1.2683267e76, "train_loss 1.2683E+76  test_loss 1.2683E+76")]
    [InlineData(1102.80453, "train_loss 1102.8  test_loss 1102.8")]
    public void A_regression_train_loss_of_any_size_is_printed_like_its_test_loss(double loss, string expected) =>
        Assert.Contains(expected, ProgressDisplay.Summary(Regression(loss), totalEpochs: 1, classification: false));

    [Fact]
    public void The_live_bar_shows_a_regression_loss_as_the_summary_line_does()
    {
        // The bar's description formats the running loss on its own: with four decimals a tiny loss read 0.0000 there.
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            // NOTE: only an interactive ANSI console draws the bar; AutoClear(false) keeps its last frame in the output.
            Out = new AnsiConsoleOutput(output), Interactive = InteractionSupport.Yes, Ansi = AnsiSupport.Yes,
        });
        var display = new ProgressDisplay(_ => { }, totalEpochs: 1, classification: false);

        console.Progress().AutoClear(false).Start(context =>
        {
            display.Attach(context);
            display.OnBatchEnd(epoch: 1, batch: 1, batchesPerEpoch: 1, runningLoss: 8.2135736e-13, samplesPerSecond: 100);
        });

        Assert.Contains("epoch 1/1  loss 8.2136E-13", output.ToString());
    }

    [Fact]
    public void A_classification_loss_keeps_four_decimals() =>
        Assert.Contains("train_loss 0.6107  test_loss 0.5203",
            ProgressDisplay.Summary(new EpochMetrics(1, 0.61071, 0.52031, 0.775, null, null, 0.002, 0.1), totalEpochs: 1, classification: true));
}
