using System.Text.Json.Nodes;
using Backprop.Training;

namespace Backprop.Cli.Training;

/// <summary>The `train --format json` object (keys fixed by the CLI contract).</summary>
internal static class TrainingReport
{
    public static JsonObject Json(IReadOnlyList<EpochMetrics> epochs, Evaluation final, bool classification, double trainSeconds, double samplesPerSecond)
    {
        var epochArray = new JsonArray();
        foreach (var e in epochs)
        {
            var item = new JsonObject { ["epoch"] = e.Epoch, ["train_loss"] = e.TrainLoss, ["test_loss"] = Finite(e.TestLoss) };
            if (classification) item["test_accuracy"] = e.TestAccuracy;
            else { item["test_rmse"] = Finite(e.TestRmse); item["test_r2"] = Finite(e.TestR2); }
            epochArray.Add(item);
        }
        var report = new JsonObject { ["epochs"] = epochArray, ["test_loss"] = Finite(final.Loss) };
        if (classification) report["test_accuracy"] = final.Accuracy;
        else { report["test_rmse"] = Finite(final.Rmse); report["test_r2"] = Finite(final.R2); }
        report["test_samples"] = final.Samples;
        report["train_seconds"] = trainSeconds;
        report["samples_per_second"] = samplesPerSecond;
        return report;
    }

    // JSON has no NaN: R² is undefined for a constant target, and test samples that overflow the network make the loss NaN.
    private static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;
}
