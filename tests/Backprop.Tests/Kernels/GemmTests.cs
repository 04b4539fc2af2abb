using System.Numerics;
using Backprop.Kernels;
using FsCheck.Xunit;

namespace Backprop.Tests.Kernels;

public sealed class GemmTests
{
    // (m, n, k): single elements, odd sizes either side of the register tiles (12×32, 6×16, 4×4) and the
    // cache blocks (Mc 140 or 144, Kc 128 to 512, Nc 4096), long thin shapes, and the MLP shapes.
    public static readonly TheoryData<int, int, int> AwkwardSizes = new()
    {
        { 1, 1, 1 }, { 1, 2, 3 }, { 2, 7, 17 }, { 7, 17, 31 }, { 17, 31, 33 }, { 31, 33, 7 }, { 33, 1, 255 },
        { 1, 1000, 3 }, { 1000, 3, 2 }, { 3, 1000, 1 }, { 257, 7, 129 }, { 255, 131, 33 }, { 129, 65, 300 },
        { 13, 4100, 3 }, { 32, 10, 256 }, { 33, 256, 520 }, { 150, 70, 260 },
    };

    public static readonly TheoryData<int, int, int, int> KernelsAndThreads = Variants();

    [Theory]
    [MemberData(nameof(AwkwardSizes))]
    public void Float_product_matches_the_reference_for_every_transpose_and_accumulate(int m, int n, int k)
    {
        foreach (var (transposeA, transposeB, accumulate) in Forms())
            Check<float>(m, n, k, transposeA, transposeB, accumulate, Gemm.Multiply, GemmReference.Multiply);
    }

    [Theory]
    [MemberData(nameof(AwkwardSizes))]
    public void Double_product_matches_the_reference_for_every_transpose_and_accumulate(int m, int n, int k)
    {
        foreach (var (transposeA, transposeB, accumulate) in Forms())
            Check<double>(m, n, k, transposeA, transposeB, accumulate, Gemm.Multiply, GemmReference.Multiply);
    }

    [Theory]
    [MemberData(nameof(KernelsAndThreads))]
    public void Every_microkernel_and_thread_count_matches_the_reference(int kind, int threads, int m, int n)
    {
        foreach (var (transposeA, transposeB, accumulate) in Forms())
        {
            Check<float>(m, n, 70, transposeA, transposeB, accumulate,
                (a, b, c, m, n, k, ta, tb, acc) => Gemm.MultiplyPacked<float>(a, b, c, m, n, k, ta, tb, acc, (GemmKernelKind)kind, threads),
                GemmReference.Multiply);
            Check<double>(m, n, 70, transposeA, transposeB, accumulate,
                (a, b, c, m, n, k, ta, tb, acc) => Gemm.MultiplyPacked<double>(a, b, c, m, n, k, ta, tb, acc, (GemmKernelKind)kind, threads),
                GemmReference.Multiply);
        }
    }

    [Fact]
    public void Two_threads_over_several_depth_slices_match_the_reference()
    {
        foreach (var (transposeA, transposeB, accumulate) in Forms())
        {
            Check<float>(40, 70, 1100, transposeA, transposeB, accumulate,
                (a, b, c, m, n, k, ta, tb, acc) => Gemm.MultiplyPacked<float>(a, b, c, m, n, k, ta, tb, acc, GemmKernelKind.Vector512, 2),
                GemmReference.Multiply);
            Check<double>(40, 70, 600, transposeA, transposeB, accumulate,
                (a, b, c, m, n, k, ta, tb, acc) => Gemm.MultiplyPacked<double>(a, b, c, m, n, k, ta, tb, acc, GemmKernelKind.Vector512, 2),
                GemmReference.Multiply);
        }
    }

    [Fact]
    public void Few_rows_take_the_short_tile_and_many_rows_the_tall_one()
    {
        if (GemmPlan<float>.BestKind != GemmKernelKind.Vector512)
            return;  // only AVX-512 has two tiles
        Assert.Equal(8, GemmPlan<float>.ForRows(32).Mr);    // 32 rows: four short tiles, not 42 padded rows
        Assert.Equal(8, GemmPlan<float>.ForRows(128).Mr);
        Assert.Equal(14, GemmPlan<float>.ForRows(28).Mr);   // no padding either way
        Assert.Equal(14, GemmPlan<float>.ForRows(1024).Mr); // 1.2 % padding: not worth the slower tile
        Assert.Equal(14, GemmPlan<double>.ForRows(2048).Mr);
    }

    [Fact]
    public void Tall_tiles_give_way_to_short_ones_only_where_that_pads_fewer_rows()
    {
        var tall = GemmPlan<float>.For(GemmKernelKind.Vector512);
        Assert.Equal(1008, tall.TallRows(1024)); // 72 tall tiles and 2 short ones: no padding (73 + 1 pads 12 rows)
        Assert.Equal(2016, tall.TallRows(2048)); // 144 tall and 4 short (146 + 1 pads 10)
        Assert.Equal(336, tall.TallRows(351));   // 15 rows on two short tiles pad 1 row (one more tall tile, 13)
        Assert.Equal(1022, tall.TallRows(1022)); // whole tall tiles: nothing to gain
        Assert.Equal(0, tall.TallRows(8));
        Assert.Equal(0, tall.TallRows(3));       // 3 rows: one short tile pads 5, a tall one 11
        Assert.Equal(100, GemmPlan<float>.For(GemmKernelKind.Vector256).TallRows(100)); // no short tile
        Assert.Equal(100, GemmPlan<float>.For(GemmKernelKind.Vector512Short).TallRows(100));
    }

    [Fact]
    public void The_row_team_over_many_slices_and_column_blocks_matches_the_reference()
    {
        // Small blocks give 3 column blocks × 4 depth slices, so both shared B buffers are reused several times.
        foreach (var (transposeA, transposeB, accumulate) in Forms())
        {
            var planF = GemmPlan<float>.Best.WithBlocks(28, 64, 64);
            Assert.True(GemmRowTeam.Suits(131, 150, 200, in planF, 2));
            Check<float>(131, 150, 200, transposeA, transposeB, accumulate,
                (a, b, c, m, n, k, ta, tb, acc) => Gemm.MultiplyPacked(a, b, c, m, n, k, ta, tb, acc, planF, 2),
                GemmReference.Multiply);
            var planD = GemmPlan<double>.Best.WithBlocks(28, 64, 64);
            Check<double>(131, 150, 200, transposeA, transposeB, accumulate,
                (a, b, c, m, n, k, ta, tb, acc) => Gemm.MultiplyPacked(a, b, c, m, n, k, ta, tb, acc, planD, 2),
                GemmReference.Multiply);
        }
    }

    [Theory]
    [InlineData(40, 1024, 1030, 1)]   // one rectangle, two depth slices; the second is too small to stream
    [InlineData(340, 1024, 1024, 2)]  // the row team
    [InlineData(340, 1024, 1024, 1)]
    public void Slices_of_B_packed_with_streaming_stores_match_the_reference(int m, int n, int k, int threads)
    {
        // A 1024 × 1024 float slice of B is 4 MiB: large enough for the non-temporal stores (B not transposed).
        foreach (bool accumulate in new[] { false, true })
            Check<float>(m, n, k, false, false, accumulate,
                (a, b, c, m, n, k, ta, tb, acc) => Gemm.MultiplyPacked<float>(a, b, c, m, n, k, ta, tb, acc, GemmPlan<float>.BestKind, threads),
                GemmReference.Multiply);
    }

    [Fact]
    public void Products_from_several_threads_at_once_give_the_bits_of_one_thread()
    {
        // Only one caller at a time gets the worker team; the others run alone. Either way, the same bits.
        const int m = 351, n = 200, k = 1100;
        float[] a = Random<float>(m * k, 1), b = Random<float>(k * n, 2), expected = new float[m * n];
        Gemm.MultiplyPacked<float>(a, b, expected, m, n, k, false, false, false, GemmPlan<float>.BestKind, 1);
        var results = new float[4][];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, caller =>
        {
            for (int repetition = 0; repetition < 5; repetition++)
            {
                results[caller] = new float[m * n];
                Gemm.Multiply(a, b, results[caller], m, n, k);
                Assert.Equal(expected, results[caller]);
            }
        });
    }

    [Theory]
    [InlineData(128, 256, 784)]
    [InlineData(256, 784, 128)]
    [InlineData(33, 100, 1030)]
    [InlineData(351, 200, 1100)]  // with AVX-512, the row team: a partial last row tile and two depth slices
    public void Two_threads_give_the_same_bits_as_one(int m, int n, int k)
    {
        foreach (var (transposeA, transposeB, accumulate) in Forms())
        {
            float[] a = Random<float>(m * k, 1), b = Random<float>(k * n, 2), one = Random<float>(m * n, 3), two = (float[])one.Clone();
            Gemm.MultiplyPacked<float>(a, b, one, m, n, k, transposeA, transposeB, accumulate, GemmPlan<float>.BestKind, 1);
            Gemm.MultiplyPacked<float>(a, b, two, m, n, k, transposeA, transposeB, accumulate, GemmPlan<float>.BestKind, 2);
            Assert.Equal(one, two);
        }
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 70, 129)]
    [InlineData(9, 33, 17)]
    public void Direct_path_matches_the_reference_on_sizes_it_is_not_chosen_for(int m, int n, int k)
    {
        foreach (var (transposeA, transposeB, accumulate) in Forms())
            Check<float>(m, n, k, transposeA, transposeB, accumulate, Gemm.MultiplyDirect<float>, GemmReference.Multiply);
    }

    [Property(MaxTest = 100)]
    public void Random_small_shapes_match_the_reference(byte m, byte n, byte k, bool transposeA, bool transposeB, bool accumulate)
    {
        Check<float>(1 + m % 48, 1 + n % 80, 1 + k % 64, transposeA, transposeB, accumulate, Gemm.Multiply, GemmReference.Multiply);
        Check<double>(1 + n % 30, 1 + k % 40, 1 + m % 50, transposeA, transposeB, accumulate, Gemm.Multiply, GemmReference.Multiply);
    }

    [Fact]
    public void Nan_and_infinity_reach_exactly_the_outputs_the_reference_puts_them_in()
    {
        foreach (var (m, n, k) in new[] { (3, 5, 4), (40, 70, 50) })
        foreach (var (transposeA, transposeB, _) in Forms())
        {
            float[] a = Random<float>(m * k, 1), b = Random<float>(k * n, 2);
            a[1] = float.NaN;
            a[^1] = float.PositiveInfinity;
            b[0] = float.NegativeInfinity;
            float[] expected = new float[m * n], actual = new float[m * n];
            GemmReference.Multiply(a, b, expected, m, n, k, transposeA, transposeB);
            Gemm.Multiply(a, b, actual, m, n, k, transposeA, transposeB);
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.Equal(float.IsNaN(expected[i]), float.IsNaN(actual[i]));
                Assert.Equal(float.IsInfinity(expected[i]), float.IsInfinity(actual[i]));
            }
        }
    }

    [Fact]
    public void Zero_depth_clears_c_or_leaves_it_when_accumulating()
    {
        float[] c = [1, 2, 3, 4, 5, 6];
        Gemm.Multiply([], [], c, 2, 3, 0, accumulate: true);
        Assert.Equal([1f, 2, 3, 4, 5, 6], c);
        Gemm.Multiply([], [], c, 2, 3, 0);
        Assert.All(c, value => Assert.Equal(0f, value));
    }

    [Fact]
    public void Empty_rows_or_columns_change_nothing()
    {
        double[] c = [7];
        Gemm.Multiply(new double[5], [], c, 0, 0, 5);
        Gemm.Multiply([], new double[5], c, 0, 1, 5);
        Assert.Equal(7, c[0]);
    }

    [Fact]
    public void Spans_too_short_for_the_shape_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(new float[5], new float[6], new float[4], 2, 2, 3));
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(new float[6], new float[5], new float[4], 2, 2, 3));
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(new double[6], new double[6], new double[3], 2, 2, 3));
        Assert.ThrowsAny<ArgumentException>(() => Gemm.Multiply(new float[6], new float[6], new float[4], -2, 2, 3));
        Assert.Throws<ArgumentException>(() => GemmReference.Multiply(new float[5], new float[6], new float[4], 2, 2, 3));
    }

    [Theory]
    [InlineData(4, 4, 256)]
    [InlineData(5, 7, 300)]     // a partial block of rows and of columns, and a depth that is not whole vectors
    [InlineData(16, 9, 7056)]   // bench (e)'s first convolution's weight gradient
    [InlineData(9, 13, 1001)]
    [InlineData(64, 16, 1000)]
    [InlineData(1, 3, 20)]      // fewer rows and columns than one block, less depth than one vector
    [InlineData(3, 1, 17)]
    public void Dot_product_path_matches_the_reference(int m, int n, int k)
    {
        foreach (bool accumulate in new[] { false, true })
        {
            Check<float>(m, n, k, false, true, accumulate, Gemm.MultiplyDots, GemmReference.Multiply);
            Check<double>(m, n, k, false, true, accumulate, Gemm.MultiplyDots, GemmReference.Multiply);
        }
    }

    [Fact]
    public void Only_few_outputs_over_a_long_depth_take_the_dot_product_path()
    {
        bool avx512 = System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated;
        Assert.Equal(avx512, GemmDots.Suits<float>(16, 9, 7056, false, true));
        Assert.Equal(avx512, GemmDots.Suits<float>(64, 16, 256, false, true));
        Assert.False(GemmDots.Suits<float>(16, 9, 7056, false, false));  // B not transposed: its rows do not run along k
        Assert.False(GemmDots.Suits<float>(16, 9, 7056, true, true));
        Assert.False(GemmDots.Suits<float>(32, 144, 392, false, true));  // too many outputs
        Assert.False(GemmDots.Suits<float>(16, 9, 255, false, true));    // too little depth
        Assert.False(GemmDots.Suits<float>(3, 100, 1000, false, true));  // too few rows: GemmSmall's
        Assert.False(GemmDots.Suits<float>(32, 32, 784, false, true));   // fills whole float register tiles
        Assert.Equal(avx512, GemmDots.Suits<float>(32, 16, 784, false, true));
        Assert.False(GemmDots.Suits<double>(32, 16, 784, false, true));  // a double tile is 16 wide
    }

    [Fact]
    public void Steady_state_calls_do_not_allocate()
    {
        foreach (var (m, n, k) in new[] { (1, 2, 3), (16, 9, 7056), (32, 10, 256), (128, 256, 784), (351, 200, 1100) })  // dot products; the last one: the row team
        {
            float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
            // NOTE: steady state is after the tiered JIT has promoted the path (30 calls, then a background
            // compile): with two warm-up calls, 2 of ~90 runs of the suite saw one 8 KB allocation in the
            // row team's first timed calls, while 3,000 later calls, with or without another thread holding
            // the team, allocated nothing.
            for (int warmUp = 0; warmUp < 40; warmUp++)
                Gemm.Multiply(a, b, c, m, n, k, transposeB: true);
            var allocated = SteadyState.AllocatedBytesPerRound(() =>
            {
                for (int repeat = 0; repeat < 5; repeat++)
                    Gemm.Multiply(a, b, c, m, n, k, transposeB: true);
            });
            Assert.True(allocated[^1] == 0, $"{m}×{n}×{k}: bytes allocated per 5 calls, round by round: {string.Join(", ", allocated)}");
        }
    }

    private delegate void Multiply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int n, int k,
        bool transposeA, bool transposeB, bool accumulate);

    private static IEnumerable<(bool TransposeA, bool TransposeB, bool Accumulate)> Forms()
    {
        foreach (bool transposeA in new[] { false, true })
        foreach (bool transposeB in new[] { false, true })
        foreach (bool accumulate in new[] { false, true })
            yield return (transposeA, transposeB, accumulate);
    }

    private static TheoryData<int, int, int, int> Variants()
    {
        var data = new TheoryData<int, int, int, int>();
        foreach (GemmKernelKind kind in Enum.GetValues<GemmKernelKind>())
        foreach (int threads in new[] { 1, 2 })
        foreach (var (m, n) in new[] { (1, 1), (13, 33), (25, 70), (70, 25) })
            data.Add((int)kind, threads, m, n);
        return data;
    }

    private static void Check<T>(int m, int n, int k, bool transposeA, bool transposeB, bool accumulate,
        Multiply<T> fast, Multiply<T> reference) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] a = Random<T>(m * k, m + 31 * n), b = Random<T>(k * n, k + 7 * n), c0 = Random<T>(m * n, 5);
        T[] expected = (T[])c0.Clone(), actual = (T[])c0.Clone();
        reference(a, b, expected, m, n, k, transposeA, transposeB, accumulate);
        fast(a, b, actual, m, n, k, transposeA, transposeB, accumulate);

        // NOTE: rounding error grows with the sum of |terms| (at most k + |C|, as every value is in [-1, 1]),
        // not with the result, which may cancel to ~0. Summing in another order may cost a few ulps per term.
        T unitRoundoff = T.CreateChecked(typeof(T) == typeof(float) ? 1.2e-7 : 2.3e-16); // machine epsilon
        T tolerance = T.CreateChecked(4 * k + 4) * unitRoundoff;
        for (int i = 0; i < expected.Length; i++)
        {
            T error = T.Abs(expected[i] - actual[i]);
            Assert.True(error <= tolerance,
                $"{typeof(T).Name} m={m} n={n} k={k} transposeA={transposeA} transposeB={transposeB} accumulate={accumulate}: " +
                $"C[{i / n}, {i % n}] is {actual[i]}, expected {expected[i]}");
        }
    }

    private static T[] Random<T>(int length, int seed) where T : INumber<T>
    {
        var random = new Random(seed);
        var values = new T[length];
        for (int i = 0; i < length; i++)
            values[i] = T.CreateChecked(random.NextDouble() * 2 - 1);
        return values;
    }
}
