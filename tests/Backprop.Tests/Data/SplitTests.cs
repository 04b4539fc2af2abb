using Backprop.Data;

namespace Backprop.Tests.Data;

public sealed class SplitTests
{
    [Fact]
    public void A_stratified_split_keeps_each_class_share_within_one()
    {
        // Classes of 50, 30, 13 and 7 rows, interleaved.
        int[] sizes = [50, 30, 13, 7];
        int[] labels = Enumerable.Range(0, sizes.Length).SelectMany(c => Enumerable.Repeat(c, sizes[c])).ToArray();
        SeededShuffle.Shuffle<int>(labels, 99);

        SplitIndices split = Split.TrainTest(labels, testFraction: 0.2, seed: 1);

        for (int c = 0; c < sizes.Length; c++)
        {
            int inTest = split.Test.Count(row => labels[row] == c);
            Assert.InRange(inTest, sizes[c] * 0.2 - 1, sizes[c] * 0.2 + 1);
            Assert.Equal(sizes[c], inTest + split.Train.Count(row => labels[row] == c));
        }
        Assert.Equal(Enumerable.Range(0, labels.Length), split.Train.Concat(split.Test).Order());
    }

    [Fact]
    public void Every_class_with_two_rows_or_more_gets_a_test_row()
    {
        int[] labels = [0, 0, 1, 1, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

        SplitIndices split = Split.TrainTest(labels, testFraction: 0.1, seed: 3);

        Assert.Contains(split.Test, row => labels[row] == 0);
        Assert.Contains(split.Test, row => labels[row] == 1);
        Assert.DoesNotContain(split.Test, row => labels[row] == 2);  // its only row stays in training
    }

    [Fact]
    public void The_same_seed_gives_the_same_split_and_another_seed_a_different_one()
    {
        int[] labels = Enumerable.Range(0, 200).Select(i => i % 3).ToArray();

        SplitIndices first = Split.TrainTest(labels, 0.25, seed: 42);
        SplitIndices again = Split.TrainTest(labels, 0.25, seed: 42);
        SplitIndices other = Split.TrainTest(labels, 0.25, seed: 43);

        Assert.Equal(first.Test, again.Test);
        Assert.Equal(first.Train, again.Train);
        Assert.NotEqual(first.Test, other.Test);
    }

    [Fact]
    public void A_plain_split_of_rows_has_the_rounded_test_size_and_covers_every_row()
    {
        SplitIndices split = Split.TrainTest(rows: 101, testFraction: 0.3, seed: 7);

        Assert.Equal(30, split.Test.Length);
        Assert.Equal(Enumerable.Range(0, 101), split.Train.Concat(split.Test).Order());
        Assert.Equal(split.Test, Split.TrainTest(rows: 101, testFraction: 0.3, seed: 7).Test);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void The_test_fraction_must_lie_strictly_between_zero_and_one(double fraction)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Split.TrainTest(10, fraction, 0));
    }

    [Fact]
    public void A_data_set_splits_into_subsets_holding_copies_of_its_rows()
    {
        DataSet digits = BuiltinData.LoadDigits();

        (DataSet train, DataSet test) = Split.TrainTest(digits, 0.2, seed: 5);

        Assert.Equal(digits.Rows, train.Rows + test.Rows);
        Assert.Equal(digits.ClassNames, test.ClassNames);
        SplitIndices split = Split.TrainTest(digits.Labels!, 0.2, seed: 5);
        int row = split.Test[3];
        Assert.Equal(digits.Row(row).ToArray(), test.Row(3).ToArray());
        Assert.Equal(digits.Labels![row], test.Labels![3]);
        for (int c = 0; c < 10; c++) Assert.InRange(test.Labels.Count(l => l == c), 30, 42);
    }
}
