using Backprop.Training;

namespace Backprop.Cli;

/// <summary>The `note:` that `eval` and `train --test` print when finite features far beyond the training data's range
/// overflowed the network into NaN or infinity on some samples.</summary>
internal static class OverflowNote
{
    public static string? For(Evaluation evaluation)
    {
        if (evaluation.UnpredictedCount > 0)
            return $"note: {evaluation.UnpredictedCount} of {evaluation.Samples} samples got no prediction and count as wrong: " +
                "the model's output overflows on them, so their features are likely far outside the range it was trained on";
        if (!double.IsFinite(evaluation.Loss))
            return "note: the loss is not finite: the model's output overflows on some samples, whose features are likely far outside the range it was trained on";
        return null;
    }
}
