namespace Backprop.Data;

/// <summary>How <see cref="CsvLoader"/> picks and reads the target column.</summary>
public sealed record CsvLoadOptions
{
    /// <summary>Target column name. Null means: with <see cref="FeatureNames"/>, the one column that is not a feature;
    /// else the last column (or, with <see cref="TargetOptional"/>, no target).</summary>
    public string? Target { get; init; }

    /// <summary>The column a saved model was trained to predict (<see cref="Training.TrainedModel.TargetName"/>): without
    /// <see cref="Target"/>, the target is found by this name. Null for models that do not know it.</summary>
    public string? ModelTarget { get; init; }

    /// <summary>Classification or regression; null means the contract's auto rule.</summary>
    public TaskKind? Task { get; init; }

    /// <summary>
    /// The classes a saved model knows, in its order. Labels map onto these indices and a label outside
    /// them is an error. Implies classification.
    /// </summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>
    /// The feature columns a saved model expects, in its order. Columns are matched by name; a missing
    /// one, or a column that is neither a feature nor the target, is an error.
    /// </summary>
    public IReadOnlyList<string>? FeatureNames { get; init; }

    /// <summary>
    /// For <c>predict</c>: the target column may be absent, and then the data set has no target.
    /// When present it is still read (and checked against <see cref="ClassNames"/>). Columns that are neither a
    /// feature nor the target (an id, a note) are passed over, since predict needs only the features.
    /// </summary>
    public bool TargetOptional { get; init; }

    /// <summary>Files from this size on are read in stretches on several threads (tests set it low).</summary>
    internal long ParallelFromBytes { get; init; } = DefaultParallelFromBytes;

    internal const long DefaultParallelFromBytes = 16 << 20;

    /// <summary>How many stretches such a file is read in; 0: as many as there are processors (at most 8).</summary>
    internal int ParallelStretches { get; init; }
}
