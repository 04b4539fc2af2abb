using Backprop.Data;

namespace Backprop.Tests.Data;

public sealed class BatchLoaderTests
{
    /// <summary>(rows, 3) features whose first value is the row index, so a batch row says where it came from.</summary>
    static DataSet Numbered(int rows, bool regression = false)
    {
        var features = new float[rows * 3];
        for (int r = 0; r < rows; r++) { features[r * 3] = r; features[r * 3 + 1] = -r; features[r * 3 + 2] = r * 0.5f; }
        return regression
            ? DataSet.Regression(features, rows, ["a", "b", "c"], [3], Enumerable.Range(0, rows).Select(r => r * 10f).ToArray())
            : DataSet.Classification(features, rows, ["a", "b", "c"], [3], Enumerable.Range(0, rows).Select(r => r % 4).ToArray(), ["w", "x", "y", "z"]);
    }

    static List<int> EpochRows(BatchLoader loader, int epoch, List<int>? counts = null)
    {
        var rows = new List<int>();
        loader.StartEpoch(epoch);
        while (loader.Next(out int count))
        {
            counts?.Add(count);
            for (int i = 0; i < count; i++) rows.Add((int)loader.BatchFeatures[i * 3]);
        }
        return rows;
    }

    [Fact]
    public void Every_row_comes_exactly_once_per_epoch_with_a_smaller_last_batch()
    {
        var loader = new BatchLoader(Numbered(23), batchSize: 5, seed: 1);
        var counts = new List<int>();

        List<int> rows = EpochRows(loader, 0, counts);

        Assert.Equal(Enumerable.Range(0, 23), rows.Order());
        Assert.Equal([5, 5, 5, 5, 3], counts);
        Assert.Equal(5, loader.BatchesPerEpoch);
        Assert.NotEqual(Enumerable.Range(0, 23), rows);  // shuffled
    }

    [Fact]
    public void Batch_rows_carry_their_features_and_labels_together()
    {
        DataSet data = Numbered(10);
        var loader = new BatchLoader(data, batchSize: 4, seed: 2);

        while (loader.Next(out int count))
            for (int i = 0; i < count; i++)
            {
                int row = loader.BatchRows[i];
                Assert.Equal(data.Row(row).ToArray(), loader.BatchFeatures.AsSpan(i * 3, 3).ToArray());
                Assert.Equal(data.Labels![row], loader.BatchLabels[i]);
            }
    }

    [Fact]
    public void Regression_batches_carry_targets()
    {
        var loader = new BatchLoader(Numbered(7, regression: true), batchSize: 3, seed: 2);

        Assert.True(loader.Next(out int count));
        for (int i = 0; i < count; i++) Assert.Equal(loader.BatchFeatures[i * 3] * 10f, loader.BatchTargets[i]);
        Assert.Empty(loader.BatchLabels);
    }

    [Fact]
    public void The_same_seed_and_epoch_give_the_same_order_and_epochs_differ()
    {
        DataSet data = Numbered(50);
        var first = new BatchLoader(data, 8, seed: 11);
        var second = new BatchLoader(data, 8, seed: 11);
        var otherSeed = new BatchLoader(data, 8, seed: 12);

        List<int> epoch3 = EpochRows(first, 3);
        Assert.NotEqual(epoch3, EpochRows(first, 4));
        // A resumed run that starts straight at epoch 3 sees the same order.
        Assert.Equal(epoch3, EpochRows(second, 3));
        Assert.NotEqual(epoch3, EpochRows(otherSeed, 3));
    }

    [Fact]
    public void Without_shuffling_rows_come_in_order()
    {
        var loader = new BatchLoader(Numbered(9), batchSize: 4, seed: 0, shuffle: false);
        Assert.Equal(Enumerable.Range(0, 9), EpochRows(loader, 5));
    }

    [Fact]
    public void Batches_allocate_nothing_after_warm_up()
    {
        var loader = new BatchLoader(Numbered(1000), batchSize: 32, seed: 9);
        float checksum = Drain(loader, epochs: 2);  // warm-up: JIT, tiering

        var allocated = SteadyState.AllocatedBytesPerRound(() => checksum += Drain(loader, epochs: 5));

        Assert.True(allocated[^1] == 0, $"bytes allocated per 5 epochs, round by round: {string.Join(", ", allocated)}");
        Assert.True(checksum > 0);
    }

    static float Drain(BatchLoader loader, int epochs)
    {
        float checksum = 0;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            loader.StartEpoch(epoch);
            while (loader.Next(out int count)) checksum += loader.BatchFeatures[0] + count;
        }
        return checksum;
    }
}
