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
            task.Description = $"epoch {epoch}/{totalEpochs}  loss {runningLoss:F4}  {samplesPerSecond:N0} samples/s";
        task.Value = batch;
    }

    public bool OnEpochEnd(EpochMetrics metrics)
    {
        task?.StopTask();
        task = null;
        writeLine(Summary(metrics, totalEpochs, classification));
        return true;
    }

    public static string Summary(EpochMetrics m, int totalEpochs, bool classification)
    {
        string test = m.TestLoss is null ? "" : classification
            ? $"  test_loss {m.TestLoss:F4}  test_accuracy {m.TestAccuracy:P2}"
            : $"  test_loss {m.TestLoss:G5}  test_rmse {m.TestRmse:G5}  test_r2 {RegressionText.RSquared(m.TestR2, m.TestRmse)}";
        return $"epoch {m.Epoch,3}/{totalEpochs}  train_loss {m.TrainLoss:F4}{test}  lr {m.LearningRate:G3}  {m.Seconds:F2} s";
    }
}
