using System.Numerics;

namespace Backprop.Data;

/// <summary>
/// Per-feature standardisation, x' = (x - mean) / deviation, with statistics fitted on training rows
/// only and carried inside a saved model as two float arrays. A constant column gets deviation 1, so it
/// becomes all zeros instead of dividing by zero.
/// </summary>
public sealed class Standardizer
{
    /// <summary>A standardizer with known statistics (as read from a model file); every deviation must be positive and finite.</summary>
    public Standardizer(float[] mean, float[] deviation)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(deviation);
        if (mean.Length != deviation.Length)
            throw new ArgumentException($"{mean.Length} means but {deviation.Length} deviations", nameof(deviation));
        foreach (float d in deviation)
            if (!(d > 0) || !float.IsFinite(d)) throw new ArgumentException($"deviation {d} is not a positive finite number", nameof(deviation));
        Mean = mean;
        Deviation = deviation;
    }

    /// <summary>(featureCount)</summary>
    public float[] Mean { get; }

    /// <summary>(featureCount) population standard deviation; 1 for constant features.</summary>
    public float[] Deviation { get; }

    /// <summary>The number of features it standardizes.</summary>
    public int FeatureCount => Mean.Length;

    /// <summary>Statistics of the training rows only, so that test rows do not leak into the model.</summary>
    public static Standardizer Fit(DataSet training)
    {
        ArgumentNullException.ThrowIfNull(training);
        return Fit(training.Features, training.Rows, training.FeatureCount);
    }

    /// <param name="features">(rows, featureCount) row-major.</param>
    public static Standardizer Fit(ReadOnlySpan<float> features, int rows, int featureCount)
    {
        if (features.Length != rows * featureCount) throw new ArgumentException("features are not rows x featureCount", nameof(features));
        if (rows == 0) throw new ArgumentException("cannot fit on zero rows", nameof(rows));
        // NOTE: two passes in double; a one-pass sum of squares loses everything on large offsets. Both run along the
        // rows, every feature's sum in row order: walking one feature down the rows read a cache line per value, and
        // Fashion-MNIST's 784 features took 0.4 s instead of 0.05 s.
        var sum = new double[featureCount];
        var min = new double[featureCount];
        var max = new double[featureCount];
        Array.Fill(min, double.PositiveInfinity);
        Array.Fill(max, double.NegativeInfinity);
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = features.Slice(r * featureCount, featureCount);
            for (int f = 0; f < row.Length; f++)
            {
                double x = row[f];
                sum[f] += x;
                min[f] = Math.Min(min[f], x);
                max[f] = Math.Max(max[f], x);
            }
        }
        var means = new double[featureCount];
        for (int f = 0; f < featureCount; f++) means[f] = sum[f] / rows;
        var squares = new double[featureCount];
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = features.Slice(r * featureCount, featureCount);
            for (int f = 0; f < row.Length; f++)
            {
                double d = row[f] - means[f];
                squares[f] += d * d;
            }
        }

        var mean = new float[featureCount];
        var deviation = new float[featureCount];
        for (int f = 0; f < featureCount; f++)
        {
            if (min[f] == max[f])
            {
                // Exactly constant: rounding in the mean would otherwise leave a tiny spurious deviation.
                mean[f] = (float)min[f];
                deviation[f] = 1f;
                continue;
            }
            float sd = (float)Math.Sqrt(squares[f] / rows);
            mean[f] = (float)means[f];
            deviation[f] = sd > 0 && float.IsFinite(sd) ? sd : 1f;
        }
        return new Standardizer(mean, deviation);
    }

    /// <summary>Standardises (rows, FeatureCount) features in place.</summary>
    public void Apply(Span<float> features, int rows)
    {
        int featureCount = FeatureCount;
        if (features.Length != rows * featureCount)
            throw new ArgumentException($"features hold {features.Length} values, not {rows} x {featureCount}", nameof(features));
        Widen().Apply(features, rows);
    }

    /// <summary>The statistics in double, read once: for a caller that standardises batch after batch.</summary>
    /// <remarks>NOTE: in double: two features within float32's range can be further apart than it reaches (3e38 and
    /// −3e38, mean −1.5e38), and their difference overflowed to ∞, which then showed as a diverging loss.</remarks>
    internal Widened Widen() => new(Array.ConvertAll(Mean, m => (double)m), Array.ConvertAll(Deviation, d => (double)d));

    /// <summary>A standardizer's statistics widened to double (see <see cref="Widen"/>).</summary>
    internal readonly struct Widened(double[] mean, double[] deviation)
    {
        /// <summary>Standardises (rows, features) values in place; the caller has checked their length.</summary>
        public void Apply(Span<float> features, int rows)
        {
            int featureCount = mean.Length;
            for (int r = 0; r < rows; r++) ApplyToRow(features.Slice(r * featureCount, featureCount), mean, deviation);
        }
    }

    // NOTE: the vector lanes do what the scalar loop does, (float)((x − mean) / deviation) in double, so the bits are the
    // same; the scalar loop's double division took 0.07 s of a 60,000-row Fashion-MNIST evaluation.
    static void ApplyToRow(Span<float> row, ReadOnlySpan<double> mean, ReadOnlySpan<double> deviation)
    {
        int f = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int half = Vector<double>.Count;
            for (; f <= row.Length - Vector<float>.Count; f += Vector<float>.Count)
            {
                Vector.Widen(new Vector<float>(row[f..]), out Vector<double> low, out Vector<double> high);
                low = (low - new Vector<double>(mean[f..])) / new Vector<double>(deviation[f..]);
                high = (high - new Vector<double>(mean[(f + half)..])) / new Vector<double>(deviation[(f + half)..]);
                Vector.Narrow(low, high).CopyTo(row[f..]);
            }
        }
        for (; f < row.Length; f++) row[f] = (float)((row[f] - mean[f]) / deviation[f]);
    }

    /// <summary>Standardizes the features of <paramref name="data"/> in place.</summary>
    public void Apply(DataSet data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.FeatureCount != FeatureCount)
            throw new ArgumentException($"the data has {data.FeatureCount} features, the standardizer {FeatureCount}", nameof(data));
        Apply(data.Features, data.Rows);
    }
}
