using System.Globalization;
using Backprop.Training;
using Spectre.Console;

namespace Backprop.Cli.Training;

/// <summary>A live progress bar per epoch (loss and samples/s) and a summary line when each epoch ends.</summary>
internal sealed class ProgressDisplay(Action<string> writeLine, int totalEpochs, bool classification) : ITrainingCallback
{
    private ProgressTask? task;
    private ProgressContext? context;

    public void Attach(ProgressContext progressContext) => context = progressContext;

    public void OnBatchEnd(int epoch, int batch, int batchesPerEpoch, double runningLoss, double samplesPerSecond)
    {
        if (context is null) return;
        if (task is null || batch == 1)
        {
            task?.StopTask();
            task = context.AddTask($"epoch {epoch}/{totalEpochs}", maxValue: batchesPerEpoch);
        }
        // NOTE: refresh the description only every few batches: formatting text per batch would cost more than the batch.
        if (batch % 16 == 0 || batch == batchesPerEpoch)
            task.Description = $"epoch {epoch}/{totalEpochs}  loss {Loss(runningLoss, classification)}  {samplesPerSecond:N0} samples/s";
        task.Value = batch;
    }

    public bool OnEpochEnd(EpochMetrics metrics)
    {
        task?.StopTask();
        task = null;
        writeLine(Summary(metrics, totalEpochs, classification));
        return true;
    }

    // NOTE: a regression loss is in the target's units squared, any size: four decimals printed 1e-13 as 0.0000 and
    // 1e76 as 77 digits, beside a test loss in G5. Cross-entropy keeps its fixed four decimals.
    private static string Loss(double loss, bool classification) => loss.ToString(classification ? "F4" : "G5", CultureInfo.InvariantCulture);

    public static string Summary(EpochMetrics m, int totalEpochs, bool classification)
    {
        string test = m.TestLoss is null ? "" : classification
            ? $"  test_loss {m.TestLoss:F4}  test_accuracy {m.TestAccuracy:P2}"
            : $"  test_loss {m.TestLoss:G5}  test_rmse {m.TestRmse:G5}  test_r2 {RegressionText.RSquared(m.TestR2, m.TestRmse)}";
        return $"epoch {m.Epoch,3}/{totalEpochs}  train_loss {Loss(m.TrainLoss, classification)}{test}  lr {m.LearningRate:G3}  {m.Seconds:F2} s";
    }
}
