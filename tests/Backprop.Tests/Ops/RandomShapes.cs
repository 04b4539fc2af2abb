namespace Backprop.Tests.Ops;

/// <summary>Random shapes for property tests, including pairs that broadcast.</summary>
internal static class RandomShapes
{
    public static int[] Shape(Random random, int maxRank = 3, int maxSize = 4)
    {
        int rank = random.Next(1, maxRank + 1);
        return Enumerable.Range(0, rank).Select(_ => random.Next(1, maxSize + 1)).ToArray();
    }

    /// <summary>A shape that broadcasts against <paramref name="shape"/>: some dimensions set to 1, some leading ones dropped.</summary>
    public static int[] BroadcastPartner(Random random, int[] shape)
    {
        int drop = random.Next(0, shape.Length);
        return shape.Skip(drop).Select(size => random.Next(3) == 0 ? 1 : size).ToArray();
    }

    public static Tensor<double> Values(Random random, int[] shape, double low = -2, double high = 2) =>
        Tensor.Uniform(random, low, high, shape);
}
