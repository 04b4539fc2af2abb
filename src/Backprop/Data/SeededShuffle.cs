namespace Backprop.Data;

/// <summary>
/// Deterministic shuffling: the same seed gives the same order on every run, machine and .NET version.
/// NOTE: a hand-written SplitMix64 rather than System.Random, so that the sequence is fixed by this
/// file and a shuffle allocates nothing.
/// </summary>
public static class SeededShuffle
{
    /// <summary>Fisher–Yates shuffle of <paramref name="items"/> in place.</summary>
    public static void Shuffle<T>(Span<T> items, long seed)
    {
        var random = new SplitMix64(unchecked((ulong)seed));
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = random.NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>0..count-1 in a seeded random order.</summary>
    public static int[] Permutation(int count, long seed)
    {
        var order = new int[count];
        for (int i = 0; i < count; i++) order[i] = i;
        Shuffle<int>(order, seed);
        return order;
    }

    /// <summary>A seed for one stream of a run (an epoch, a split), derived from the run's seed.</summary>
    public static long Derive(long seed, long stream) => unchecked((long)
        SplitMix64.Mix(SplitMix64.Mix(unchecked((ulong)seed)) ^ unchecked((ulong)stream * 0x9E3779B97F4A7C15UL)));

    /// <summary>Steele, Lea, Flood 2014, "Fast splittable pseudorandom number generators".</summary>
    internal struct SplitMix64(ulong seed)
    {
        ulong state = seed;

        public ulong Next() => Mix(state += 0x9E3779B97F4A7C15UL);

        /// <summary>Uniform in [0, bound) without modulo bias (Lemire 2019, multiply-and-reject).</summary>
        public int NextInt(int bound)
        {
            ulong range = (ulong)bound;
            while (true)
            {
                ulong product = (Next() >> 32) * range;  // (32-bit random) * bound fits in 64 bits
                uint low = (uint)product;
                if (low >= (uint)((0x1_0000_0000UL - range) % range)) return (int)(product >> 32);
            }
        }

        public static ulong Mix(ulong z)
        {
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
