namespace Backprop.IO;

/// <summary>The task a model was trained for, as written in model files.</summary>
public static class ModelTask
{
    /// <summary>The task value of a classifier.</summary>
    public const string Classification = "classification";
    /// <summary>The task value of a regressor.</summary>
    public const string Regression = "regression";
}

/// <summary>
/// Everything needed to use a trained model: the architecture, the weights, how to normalise inputs,
/// what the outputs mean, and how it was trained. <see cref="ModelFile"/> saves it as one safetensors file.
/// </summary>
public sealed record SavedModel
{
    /// <summary>The layers in order.</summary>
    public required IReadOnlyList<LayerSpec> Architecture { get; init; }

    /// <summary><see cref="ModelTask.Classification"/> or <see cref="ModelTask.Regression"/>.</summary>
    public required string Task { get; init; }

    /// <summary>For classification, the label of each output, as it appeared in the training data.</summary>
    public string[]? ClassNames { get; init; }

    /// <summary>The shape of one input sample: [features] for tabular data, [channels, height, width] for images.</summary>
    public required int[] InputShape { get; init; }

    /// <summary>The input columns' names (empty for images).</summary>
    public string[] FeatureNames { get; init; } = [];

    /// <summary>The per-feature mean subtracted from raw inputs, or null when inputs are not standardised.</summary>
    public float[]? NormalizerMean { get; init; }

    /// <summary>The per-feature deviation raw inputs are divided by (after the mean), or null.</summary>
    public float[]? NormalizerStd { get; init; }

    /// <summary>The weights, named as the layers list them ("layers.0.weight", "layers.0.bias", …).</summary>
    public required IReadOnlyDictionary<string, SafeTensor> Parameters { get; init; }

    /// <summary>Training facts as strings: epochs, seed, date, optimizer, backprop version, ….</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}
