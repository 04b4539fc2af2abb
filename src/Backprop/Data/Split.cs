namespace Backprop.Data;

/// <summary>Row indices of a train/test split, each ascending.</summary>
public readonly record struct SplitIndices(int[] Train, int[] Test);

/// <summary>Seeded train/test splits; stratified ones keep each class's share in both halves.</summary>
public static class Split
{
    const long SplitStream = 0x5EED_5_1177;  // keeps split shuffles apart from epoch shuffles of the same seed

    /// <summary>A random split of <paramref name="rows"/> rows; the test part has round(rows × testFraction) rows, at least 1 and at most rows − 1.</summary>
    public static SplitIndices TrainTest(int rows, double testFraction, long seed)
    {
        CheckFraction(testFraction);
        if (rows < 2) throw new ArgumentOutOfRangeException(nameof(rows), "a split needs at least two rows");
        int[] order = SeededShuffle.Permutation(rows, SeededShuffle.Derive(seed, SplitStream));
        int testCount = Math.Clamp((int)Math.Round(rows * testFraction, MidpointRounding.AwayFromZero), 1, rows - 1);
        return Sorted(order[testCount..], order[..testCount]);
    }

    /// <summary>
    /// A split by class label. Stratified, each class with n rows puts round(n × testFraction) of them in
    /// the test part, but at least one and at most n − 1 when n ≥ 2 (a class of one row stays in training).
    /// </summary>
    public static SplitIndices TrainTest(ReadOnlySpan<int> labels, double testFraction, long seed, bool stratified = true)
    {
        if (!stratified) return TrainTest(labels.Length, testFraction, seed);
        CheckFraction(testFraction);
        if (labels.Length < 2) throw new ArgumentOutOfRangeException(nameof(labels), "a split needs at least two rows");

        var rowsByClass = new SortedDictionary<int, List<int>>();
        for (int row = 0; row < labels.Length; row++)
        {
            if (!rowsByClass.TryGetValue(labels[row], out List<int>? rows)) rowsByClass[labels[row]] = rows = [];
            rows.Add(row);
        }
        var train = new List<int>(labels.Length);
        var test = new List<int>();
        foreach ((int label, List<int> rows) in rowsByClass)
        {
            int[] members = rows.ToArray();
            SeededShuffle.Shuffle<int>(members, SeededShuffle.Derive(seed, SplitStream + 1 + label));
            int n = members.Length;
            int testCount = n < 2 ? 0 : Math.Clamp((int)Math.Round(n * testFraction, MidpointRounding.AwayFromZero), 1, n - 1);
            test.AddRange(members.AsSpan(0, testCount));
            train.AddRange(members.AsSpan(testCount));
        }
        return Sorted(train.ToArray(), test.ToArray());
    }

    /// <summary>Splits a data set, stratified by class for classification.</summary>
    public static (DataSet Train, DataSet Test) TrainTest(DataSet data, double testFraction, long seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        SplitIndices split = data.Labels is int[] labels
            ? TrainTest(labels, testFraction, seed, stratified: true)
            : TrainTest(data.Rows, testFraction, seed);
        return (data.Subset(split.Train), data.Subset(split.Test));
    }

    static void CheckFraction(double testFraction)
    {
        if (!(testFraction > 0 && testFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "the test fraction must lie strictly between 0 and 1");
    }

    static SplitIndices Sorted(int[] train, int[] test)
    {
        Array.Sort(train);
        Array.Sort(test);
        return new SplitIndices(train, test);
    }
}
