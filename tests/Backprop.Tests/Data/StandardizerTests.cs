using Backprop.Data;
using FsCheck.Xunit;

namespace Backprop.Tests.Data;

public sealed class StandardizerTests
{
    [Property(MaxTest = 200)]
    public void Apply_gives_the_bits_of_the_scalar_formula_in_double(int seed, byte width, byte height)
    {
        int featureCount = 1 + width % 40, rows = 1 + height % 5;
        var random = new Random(seed);
        // Values up to ±3e38: the widest spread float32 allows, where only double arithmetic stays finite.
        float[] Draw(int n) => Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-5, 39)))).ToArray();
        float[] features = Draw(rows * featureCount), mean = Draw(featureCount);
        float[] deviation = Draw(featureCount).Select(d => Math.Abs(d) + 1e-30f).ToArray();
        float[] expected = features.Select((x, i) => (float)((x - (double)mean[i % featureCount]) / deviation[i % featureCount])).ToArray();

        new Standardizer(mean, deviation).Apply(features, rows);

        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), features.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void Fits_population_mean_and_deviation_by_hand()
    {
        // (rows 4, features 2): column 0 is 2, 4, 4, 6 -> mean 4, variance (4+0+0+4)/4 = 2.
        //                       column 1 is 1, 1, 1, 1 -> constant, deviation becomes 1.
        float[] features = [2, 1, 4, 1, 4, 1, 6, 1];

        Standardizer standardizer = Standardizer.Fit(features, rows: 4, featureCount: 2);

        Assert.Equal([4f, 1f], standardizer.Mean);
        Assert.Equal(MathF.Sqrt(2f), standardizer.Deviation[0], 6);
        Assert.Equal(1f, standardizer.Deviation[1]);

        standardizer.Apply(features, rows: 4);
        float s = 1 / MathF.Sqrt(2f);
        float[] expected = [-2 * s, 0, 0, 0, 0, 0, 2 * s, 0];
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], features[i], 6);
    }

    [Fact]
    public void A_constant_column_that_rounds_badly_still_becomes_exactly_zero()
    {
        float[] features = Enumerable.Repeat(0.1f, 7).ToArray();

        Standardizer standardizer = Standardizer.Fit(features, rows: 7, featureCount: 1);
        standardizer.Apply(features, rows: 7);

        Assert.All(features, x => Assert.Equal(0f, x));
    }

    [Fact]
    public void Statistics_come_from_the_rows_it_was_fitted_on_only()
    {
        Standardizer standardizer = Standardizer.Fit([0f, 2f], rows: 2, featureCount: 1);
        float[] other = [100f];

        standardizer.Apply(other, rows: 1);

        Assert.Equal(99f, other[0]);
    }

    [Fact]
    public void Round_trips_through_its_two_arrays()
    {
        Standardizer fitted = Standardizer.Fit([1f, 10f, 3f, 30f, 8f, 20f], rows: 3, featureCount: 2);
        var restored = new Standardizer(fitted.Mean.ToArray(), fitted.Deviation.ToArray());
        float[] a = [5f, 5f], b = [5f, 5f];

        fitted.Apply(a, 1);
        restored.Apply(b, 1);

        Assert.Equal(a, b);
    }

    [Fact]
    public void Rejects_a_zero_deviation_given_directly()
    {
        Assert.Throws<ArgumentException>(() => new Standardizer([0f], [0f]));
    }

    [Fact]
    public void Standardised_training_columns_have_mean_zero_and_deviation_one()
    {
        DataSet digits = BuiltinData.LoadDigits();
        Standardizer standardizer = Standardizer.Fit(digits);
        float[] features = digits.Features.ToArray();
        standardizer.Apply(features, digits.Rows);

        for (int f = 0; f < digits.FeatureCount; f++)
        {
            double sum = 0, squares = 0;
            for (int r = 0; r < digits.Rows; r++) sum += features[r * digits.FeatureCount + f];
            double mean = sum / digits.Rows;
            for (int r = 0; r < digits.Rows; r++) squares += Math.Pow(features[r * digits.FeatureCount + f] - mean, 2);
            double deviation = Math.Sqrt(squares / digits.Rows);
            Assert.InRange(mean, -1e-5, 1e-5);
            if (standardizer.Deviation[f] != 1f || deviation > 0) Assert.InRange(deviation, 1 - 1e-4, 1 + 1e-4);
        }
    }

    [Fact]
    public void Features_at_the_ends_of_float32s_range_standardise_to_finite_values()
    {
        // Mean −1.5e38: 3e38 − mean is beyond float32, so the difference must not be taken in float32.
        float[] features = [3e38f, -3e38f, -3e38f, -3e38f];

        Standardizer standardizer = Standardizer.Fit(features, rows: 4, featureCount: 1);
        standardizer.Apply(features, rows: 4);

        Assert.Equal(MathF.Sqrt(3), features[0], 5);               // (3 − (−1.5)) / 2.598 = √3
        Assert.All(features[1..], x => Assert.Equal(-1 / MathF.Sqrt(3), x, 5));
    }
}
