using Backprop.Data;

namespace Backprop.Tests.Data;

public sealed class FloatChunksTests
{
    [Theory]
    [InlineData(0, 0), InlineData(0, 5), InlineData(0, 3_000_000)]          // no bound: small, and over several chunks
    [InlineData(10, 10), InlineData(2_500_000, 2_500_000)]                  // the bound met exactly
    [InlineData(10, 4), InlineData(10, 0), InlineData(2_500_000, 1_000_001)] // fewer values than the bound
    [InlineData(10, 11), InlineData(1_048_577, 3_000_000)]                   // a wrong bound: more values than it said
    public void Gives_back_every_value_in_order(long bound, int count)
    {
        var chunks = new FloatChunks(bound);
        for (int i = 0; i < count; i++) chunks.Add(i);

        float[] values = chunks.ToArray();

        Assert.Equal(count, values.Length);
        for (int i = 0; i < count; i++)
            if (values[i] != i) Assert.Fail($"value {i} came back as {values[i]}");
    }

    [Theory]
    [InlineData(10, 10), InlineData(10, 3), InlineData(10, 0), InlineData(10, 11), InlineData(1000, 3_000_000)]
    public void A_stretch_of_a_shared_array_is_filled_first_and_says_whether_it_holds_them_all(int length, int count)
    {
        var shared = new float[5 + length + 5];
        var chunks = new FloatChunks(shared, 5, length);
        for (int i = 0; i < count; i++) chunks.Add(i + 1);

        var values = new float[count + 2];
        chunks.CopyTo(values, 2);

        Assert.Equal(count == length, chunks.FillsItsStretch);
        Assert.Equal(count, chunks.Count);
        Assert.Equal(Enumerable.Range(1, count).Select(i => (float)i), values[2..]);
        Assert.Equal(Enumerable.Range(1, Math.Min(count, length)).Select(i => (float)i), shared[5..(5 + Math.Min(count, length))]);
        Assert.All(shared[..5].Concat(shared[^5..]), value => Assert.Equal(0f, value)); // nothing outside its stretch
    }
}
