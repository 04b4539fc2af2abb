using System.Numerics;
using System.Runtime.Intrinsics;

namespace Backprop.Kernels;

/// <summary>
/// C = A·Bᵀ with A stored [m, k] and B stored [n, k], for few outputs over a long depth: a convolution's weight
/// gradient (16 × 9 values, each summed over the 7,056 positions of a group of images) is such a product. Every
/// C value is a dot product of two contiguous rows, computed 4 × 4 at a time: 16 Vector512 accumulators, 8
/// loads per 16 multiply-adds.
/// NOTE: the packed path pads such a product to whole register tiles (16 × 9 becomes 16 × 32, 3.6 times the
/// work) and ran it at 35 GFLOP/s on one core; see <see cref="Suits"/> for where this path is faster.
/// </summary>
internal static unsafe class GemmDots
{
    /// <summary>
    /// AVX-512 only (elsewhere the packed path serves), for 4 rows or more (fewer stay on <see cref="GemmSmall"/>),
    /// at most 1,024 outputs, a depth of 256 or more, and where the packed path would pad the product to half as
    /// much work again or more.
    /// </summary>
    // NOTE: one core, GFLOP/s here against the packed path's: 16×9×7056 115 (27–35), 16×16×784 118 (57),
    // 10×32×784 91 (79), 64×16×1000 91 (69), 4×256×784 110 (43); but 32×32×784 106 (130), which fills whole
    // register tiles, and 32×144×392 52 (134): with many outputs every row is read again for each block of four,
    // and a short depth leaves more to the reductions and scalar tails.
    public static bool Suits<T>(int m, int n, int k, bool transposeA, bool transposeB) where T : unmanaged, INumber<T>
        => !transposeA && transposeB && Vector512.IsHardwareAccelerated && m >= 4 && (long)m * n <= 1024 && k >= 256
           && 2L * GemmDriver.RoundUp(m, 8) * GemmDriver.RoundUp(n, GemmPlan<T>.Best.Nr) >= 3L * m * n;

    public static void Multiply<T>(T* a, T* b, T* c, int m, int n, int k, bool accumulate) where T : unmanaged, INumber<T>
    {
        for (int i = 0; i < m; i += 4)
            for (int j = 0; j < n; j += 4)
                Block(a, b, c, m, n, k, i, j, accumulate);
    }

    // C[i .. i+4, j .. j+4]. Past the last row of A or B the block reads that last row again and keeps nothing
    // of it, so one loop serves the edges.
    private static void Block<T>(T* a, T* b, T* c, int m, int n, int k, int i, int j, bool accumulate)
        where T : unmanaged, INumber<T>
    {
        T* a0 = a + (nint)i * k, a1 = a + (nint)Math.Min(i + 1, m - 1) * k;
        T* a2 = a + (nint)Math.Min(i + 2, m - 1) * k, a3 = a + (nint)Math.Min(i + 3, m - 1) * k;
        T* b0 = b + (nint)j * k, b1 = b + (nint)Math.Min(j + 1, n - 1) * k;
        T* b2 = b + (nint)Math.Min(j + 2, n - 1) * k, b3 = b + (nint)Math.Min(j + 3, n - 1) * k;
        Vector512<T> s00 = default, s01 = default, s02 = default, s03 = default;
        Vector512<T> s10 = default, s11 = default, s12 = default, s13 = default;
        Vector512<T> s20 = default, s21 = default, s22 = default, s23 = default;
        Vector512<T> s30 = default, s31 = default, s32 = default, s33 = default;
        int w = Vector512<T>.Count, p = 0;
        for (; p + w <= k; p += w)
        {
            var v0 = Vector512.Load(b0 + p);
            var v1 = Vector512.Load(b1 + p);
            var v2 = Vector512.Load(b2 + p);
            var v3 = Vector512.Load(b3 + p);
            var u = Vector512.Load(a0 + p);
            s00 = GemmMicroKernel.Fma(u, v0, s00); s01 = GemmMicroKernel.Fma(u, v1, s01);
            s02 = GemmMicroKernel.Fma(u, v2, s02); s03 = GemmMicroKernel.Fma(u, v3, s03);
            u = Vector512.Load(a1 + p);
            s10 = GemmMicroKernel.Fma(u, v0, s10); s11 = GemmMicroKernel.Fma(u, v1, s11);
            s12 = GemmMicroKernel.Fma(u, v2, s12); s13 = GemmMicroKernel.Fma(u, v3, s13);
            u = Vector512.Load(a2 + p);
            s20 = GemmMicroKernel.Fma(u, v0, s20); s21 = GemmMicroKernel.Fma(u, v1, s21);
            s22 = GemmMicroKernel.Fma(u, v2, s22); s23 = GemmMicroKernel.Fma(u, v3, s23);
            u = Vector512.Load(a3 + p);
            s30 = GemmMicroKernel.Fma(u, v0, s30); s31 = GemmMicroKernel.Fma(u, v1, s31);
            s32 = GemmMicroKernel.Fma(u, v2, s32); s33 = GemmMicroKernel.Fma(u, v3, s33);
        }
        Span<T> sums =
        [
            Vector512.Sum(s00), Vector512.Sum(s01), Vector512.Sum(s02), Vector512.Sum(s03),
            Vector512.Sum(s10), Vector512.Sum(s11), Vector512.Sum(s12), Vector512.Sum(s13),
            Vector512.Sum(s20), Vector512.Sum(s21), Vector512.Sum(s22), Vector512.Sum(s23),
            Vector512.Sum(s30), Vector512.Sum(s31), Vector512.Sum(s32), Vector512.Sum(s33),
        ];
        for (int r = 0; r < 4 && i + r < m; r++)
        {
            T* aRow = r switch { 0 => a0, 1 => a1, 2 => a2, _ => a3 };
            for (int q = 0; q < 4 && j + q < n; q++)
            {
                T* bRow = q switch { 0 => b0, 1 => b1, 2 => b2, _ => b3 };
                T sum = sums[r * 4 + q];
                for (int tail = p; tail < k; tail++)
                    sum += aRow[tail] * bRow[tail];
                T* target = c + (nint)(i + r) * n + j + q;
                *target = accumulate ? *target + sum : sum;
            }
        }
    }
}
