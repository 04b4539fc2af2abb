using Backprop.Data;

namespace Backprop.Training;

/// <summary>Metrics of a model on a labelled data set.</summary>
public sealed record Evaluation(
    int Samples,
    double Loss,
    double? Accuracy,
    int[,]? ConfusionMatrix,
    double? Rmse,
    double? Mae,
    double? R2)
{
    /// <summary>Per-class precision (of the predictions of each class, the share that was right); NaN where never predicted.</summary>
    public double[] Precision() => PerClass(byColumn: true);

    /// <summary>Per-class recall (of the samples of each class, the share found); NaN where the class is absent.</summary>
    public double[] Recall() => PerClass(byColumn: false);

    private double[] PerClass(bool byColumn)
    {
        var matrix = ConfusionMatrix ?? throw new InvalidOperationException("precision and recall are for classification");
        int classes = matrix.GetLength(0);
        var result = new double[classes];
        for (int c = 0; c < classes; c++)
        {
            // A sample without a prediction was still a sample of its class, and was not found.
            long total = byColumn || Unpredicted is null ? 0 : Unpredicted[c];
            for (int other = 0; other < classes; other++) total += byColumn ? matrix[other, c] : matrix[c, other];
            result[c] = total == 0 ? double.NaN : (double)matrix[c, c] / total;
        }
        return result;
    }

    /// <summary>Per true class, the samples that got no prediction (classification only): their outputs overflowed.
    /// They are in no cell of <see cref="ConfusionMatrix"/>, and count as wrong.</summary>
    public int[]? Unpredicted { get; init; }

    /// <summary>All the samples that got no prediction.</summary>
    public int UnpredictedCount => Unpredicted?.Sum() ?? 0;

    /// <summary>Classification metrics from logits (rows × classes) and true labels.</summary>
    public static Evaluation ForClassification(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int classes, double lossSum)
    {
        // NOTE: checked on entry: a short logits span or a label past the classes failed inside the loop as an
        // IndexOutOfRangeException, and extra logits were silently ignored.
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        int rows = labels.Length;
        if (logits.Length != (long)rows * classes)
            throw new ArgumentException($"{logits.Length} logits for {rows} labels of {classes} classes (expected {(long)rows * classes})", nameof(logits));
        foreach (int label in labels)
            if ((uint)label >= (uint)classes) throw new ArgumentException($"label {label} is outside the {classes} classes", nameof(labels));
        var confusion = new int[classes, classes];
        var unpredicted = new int[classes];
        int correct = 0;
        for (int row = 0; row < rows; row++)
        {
            var rowLogits = logits.Slice(row * classes, classes);
            // NOTE: NaN or +∞ logits (features far outside the training range) name no class; the arg max of such a row
            // was class 0, which made eval count every such sample of class 0 as right while predict printed no class.
            if (!HasPrediction(rowLogits))
            {
                unpredicted[labels[row]]++;
                continue;
            }
            int predicted = ArgMax(rowLogits);
            confusion[labels[row], predicted]++;
            if (predicted == labels[row]) correct++;
        }
        return new Evaluation(rows, lossSum / Math.Max(rows, 1), (double)correct / Math.Max(rows, 1), confusion, null, null, null)
        {
            Unpredicted = unpredicted,
        };
    }

    /// <summary>Whether logits give class probabilities at all: softmax of a NaN or a +∞ is NaN everywhere, and so is
    /// softmax of logits that are all −∞ (−∞ − max is NaN), where `predict` names no class either.</summary>
    public static bool HasPrediction(ReadOnlySpan<float> logits)
    {
        bool anyAboveNegativeInfinity = false;
        foreach (float logit in logits)
        {
            if (float.IsNaN(logit) || float.IsPositiveInfinity(logit)) return false;
            anyAboveNegativeInfinity |= !float.IsNegativeInfinity(logit);
        }
        return anyAboveNegativeInfinity;
    }

    /// <summary>Regression metrics from predictions and targets, in the targets' own units.</summary>
    public static Evaluation ForRegression(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets)
    {
        int rows = targets.Length;
        if (predictions.Length != rows)
            throw new ArgumentException($"{predictions.Length} predictions for {rows} targets", nameof(predictions));
        double mean = 0;
        for (int i = 0; i < rows; i++) mean += targets[i];
        mean /= Math.Max(rows, 1);
        double squared = 0, absolute = 0, variance = 0;
        for (int i = 0; i < rows; i++)
        {
            double error = predictions[i] - (double)targets[i];
            squared += error * error;
            absolute += Math.Abs(error);
            variance += (targets[i] - mean) * (targets[i] - mean);
        }
        double mse = squared / Math.Max(rows, 1);
        double r2 = variance == 0 ? double.NaN : 1 - squared / variance;
        return new Evaluation(rows, mse, null, null, Math.Sqrt(mse), absolute / Math.Max(rows, 1), r2);
    }

    /// <summary>The index of the largest value, the first on ties, as the predicted class.</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }
}
