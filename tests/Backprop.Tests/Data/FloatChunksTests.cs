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
}
