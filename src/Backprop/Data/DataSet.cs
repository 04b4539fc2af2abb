namespace Backprop.Data;

/// <summary>
/// A loaded data set: float32 features, row-major <c>(Rows, FeatureCount)</c>, and an optional target —
/// class indices into <see cref="ClassNames"/> for classification, or real values for regression.
/// A data set without a target (input to <c>predict</c>) has <see cref="Task"/> null.
/// </summary>
public sealed class DataSet
{
    DataSet(float[] features, int rows, string[] featureNames, int[] inputShape,
        TaskKind? task, int[]? labels, string[]? classNames, float[]? targets)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(featureNames);
        ArgumentNullException.ThrowIfNull(inputShape);
        int featureCount = featureNames.Length;
        if (rows < 0) throw new ArgumentOutOfRangeException(nameof(rows));
        if ((long)rows * featureCount != features.Length)
            throw new ArgumentException($"features hold {features.Length} values, not {rows} x {featureCount}", nameof(features));
        long shapeProduct = 1;
        foreach (int dim in inputShape) shapeProduct *= dim;
        if (inputShape.Length == 0 || shapeProduct != featureCount)
            throw new ArgumentException($"input shape [{string.Join(", ", inputShape)}] does not hold {featureCount} features", nameof(inputShape));
        if (labels is not null)
        {
            ArgumentNullException.ThrowIfNull(classNames);
            if (labels.Length != rows) throw new ArgumentException("one label per row is required", nameof(labels));
            foreach (int label in labels)
                if ((uint)label >= (uint)classNames.Length)
                    throw new ArgumentException($"label {label} is outside the {classNames.Length} classes", nameof(labels));
        }
        if (targets is not null && targets.Length != rows)
            throw new ArgumentException("one target per row is required", nameof(targets));

        Features = features;
        Rows = rows;
        FeatureNames = featureNames;
        InputShape = inputShape;
        Task = task;
        Labels = labels;
        ClassNames = classNames;
        Targets = targets;
    }

    /// <summary>Rows with class-index <paramref name="labels"/> into <paramref name="classNames"/>.</summary>
    public static DataSet Classification(float[] features, int rows, string[] featureNames, int[] inputShape,
        int[] labels, string[] classNames, string? targetName = null) =>
        new(features, rows, featureNames, inputShape, TaskKind.Classification, labels ?? throw new ArgumentNullException(nameof(labels)),
            classNames ?? throw new ArgumentNullException(nameof(classNames)), null) { TargetName = targetName };

    /// <summary>Rows with one numeric target each.</summary>
    public static DataSet Regression(float[] features, int rows, string[] featureNames, int[] inputShape,
        float[] targets, string? targetName = null) =>
        new(features, rows, featureNames, inputShape, TaskKind.Regression, null, null, targets ?? throw new ArgumentNullException(nameof(targets))) { TargetName = targetName };

    /// <summary>Rows without targets, for prediction.</summary>
    public static DataSet Unlabelled(float[] features, int rows, string[] featureNames, int[] inputShape) =>
        new(features, rows, featureNames, inputShape, null, null, null, null);

    /// <summary>(Rows, FeatureCount), row-major.</summary>
    public float[] Features { get; }

    /// <summary>The number of samples.</summary>
    public int Rows { get; }

    /// <summary>Values per sample (the product of <see cref="InputShape"/>).</summary>
    public int FeatureCount => FeatureNames.Length;

    /// <summary>A name per feature (CSV column names, or pixel names for images), checked against a model's on prediction.</summary>
    public string[] FeatureNames { get; }

    /// <summary>The shape of one row: [FeatureCount] for CSV, [1, rows, cols] for IDX images.</summary>
    public int[] InputShape { get; }

    /// <summary>Null when the data has no target column.</summary>
    public TaskKind? Task { get; }

    /// <summary>Whether the rows carry labels or targets.</summary>
    public bool HasTarget => Task is not null;

    /// <summary>The CSV column the target came from; null for IDX images and data without a target.</summary>
    public string? TargetName { get; private init; }

    /// <summary>(Rows) class indices into <see cref="ClassNames"/>; classification only.</summary>
    public int[]? Labels { get; }

    /// <summary>Class labels as they appear in the data: numeric labels sorted numerically, others ordinally.</summary>
    public string[]? ClassNames { get; }

    /// <summary>The number of classes; 0 unless classification.</summary>
    public int ClassCount => ClassNames?.Length ?? 0;

    /// <summary>(Rows) real targets; regression only.</summary>
    public float[]? Targets { get; }

    /// <summary>The features of one sample, without copying.</summary>
    public ReadOnlySpan<float> Row(int row) => Features.AsSpan(row * FeatureCount, FeatureCount);

    /// <summary>A new data set holding copies of the given rows, in the given order.</summary>
    public DataSet Subset(ReadOnlySpan<int> rowIndices)
    {
        int featureCount = FeatureCount;
        float[] features = LargeArrays.Floats((long)rowIndices.Length * featureCount); // every value is copied in below
        int[]? labels = Labels is null ? null : new int[rowIndices.Length];
        float[]? targets = Targets is null ? null : new float[rowIndices.Length];
        for (int i = 0; i < rowIndices.Length; i++)
        {
            int row = rowIndices[i];
            if ((uint)row >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(rowIndices), $"row {row} is outside 0..{Rows - 1}");
            Row(row).CopyTo(features.AsSpan(i * featureCount, featureCount));
            if (labels is not null) labels[i] = Labels![row];
            if (targets is not null) targets[i] = Targets![row];
        }
        return new DataSet(features, rowIndices.Length, FeatureNames, InputShape, Task, labels, ClassNames, targets) { TargetName = TargetName };
    }
}
