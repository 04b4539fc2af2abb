namespace Backprop.Training;

/// <summary>What one epoch achieved. Test figures are null when there is no test set; accuracy is for
/// classification, RMSE and R² for regression.</summary>
public sealed record EpochMetrics(
    int Epoch,
    double TrainLoss,
    double? TestLoss,
    double? TestAccuracy,
    double? TestRmse,
    double? TestR2,
    double LearningRate,
    double Seconds);
