using System.Numerics;

namespace Backprop.Kernels;

/// <summary>
/// General matrix multiply, C[m, n] = op(A)[m, k] · op(B)[k, n] (or C += … when accumulating), over
/// row-major contiguous spans. op(A) is A stored [m, k], or Aᵀ with A stored [k, m]; likewise op(B).
/// Large products run the packed, cache-blocked, multi-threaded path; small ones a direct loop.
/// Neither allocates in steady state. <see cref="GemmReference"/> is the obviously-correct version.
/// </summary>
public static class Gemm
{
    // Up to this many multiply-adds, or this many rows against a plain B, packing does not pay for itself.
    internal const long DirectThreshold = 16 * 16 * 16;
    internal const int DirectMaxRows = 4;

    /// <summary>C[m, n] (+)= op(A)[m, k] · op(B)[k, n] in float32, row-major; see the class summary.</summary>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k,
        bool transposeA = false, bool transposeB = false, bool accumulate = false)
        => Multiply<float>(a, b, c, m, n, k, transposeA, transposeB, accumulate);

    /// <summary>C[m, n] (+)= op(A)[m, k] · op(B)[k, n] in float64, row-major; see the class summary.</summary>
    public static void Multiply(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> c, int m, int n, int k,
        bool transposeA = false, bool transposeB = false, bool accumulate = false)
        => Multiply<double>(a, b, c, m, n, k, transposeA, transposeB, accumulate);

    private static unsafe void Multiply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int n, int k,
        bool transposeA, bool transposeB, bool accumulate) where T : unmanaged, INumber<T>
    {
        Validate(a.Length, b.Length, c.Length, m, n, k);
        if (m == 0 || n == 0)
            return;
        if (k == 0)
        {
            if (!accumulate)
                c[..(m * n)].Clear();
            return;
        }
        fixed (T* pa = a, pb = b, pc = c)
        {
            if ((long)m * n * k <= DirectThreshold)
                GemmSmall.Multiply(pa, pb, pc, m, n, k, transposeA, transposeB, accumulate);
            else if (GemmDots.Suits<T>(m, n, k, transposeA, transposeB))
                GemmDots.Multiply(pa, pb, pc, m, n, k, accumulate);
            else if (m <= DirectMaxRows && !(transposeA && transposeB))
                GemmSmall.Multiply(pa, pb, pc, m, n, k, transposeA, transposeB, accumulate);
            else
                GemmDriver.Multiply(pa, pb, pc, m, n, k, transposeA, transposeB, accumulate,
                    GemmPlan<T>.ForRows(m), (long)m * n * k >= GemmDriver.ParallelThreshold ? GemmWorkers.MaxThreads : 1);
        }
    }

    /// <summary>The packed path with a chosen microkernel and thread count (used even below the size where
    /// <see cref="Multiply{T}"/> would stay on one thread), so tests can reach every variant.</summary>
    internal static unsafe void MultiplyPacked<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int n, int k,
        bool transposeA, bool transposeB, bool accumulate, GemmKernelKind kind, int maxThreads)
        where T : unmanaged, INumber<T>
        => MultiplyPacked(a, b, c, m, n, k, transposeA, transposeB, accumulate, GemmPlan<T>.For(kind), maxThreads);

    internal static unsafe void MultiplyPacked<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int n, int k,
        bool transposeA, bool transposeB, bool accumulate, GemmPlan<T> plan, int maxThreads)
        where T : unmanaged, INumber<T>
    {
        Validate(a.Length, b.Length, c.Length, m, n, k);
        if (m == 0 || n == 0 || k == 0)
            throw new ArgumentException("The packed path needs a non-empty product.");
        fixed (T* pa = a, pb = b, pc = c)
            GemmDriver.Multiply(pa, pb, pc, m, n, k, transposeA, transposeB, accumulate, in plan, maxThreads);
    }

    /// <summary>The direct path, so tests can check it on sizes the dispatcher would not send there.</summary>
    internal static unsafe void MultiplyDirect<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int n, int k,
        bool transposeA, bool transposeB, bool accumulate) where T : unmanaged, INumber<T>
    {
        Validate(a.Length, b.Length, c.Length, m, n, k);
        fixed (T* pa = a, pb = b, pc = c)
            GemmSmall.Multiply(pa, pb, pc, m, n, k, transposeA, transposeB, accumulate);
    }

    /// <summary>The dot-product path (A·Bᵀ only), so tests can check it on sizes the dispatcher would not send there.</summary>
    internal static unsafe void MultiplyDots<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int n, int k,
        bool transposeA, bool transposeB, bool accumulate) where T : unmanaged, INumber<T>
    {
        if (transposeA || !transposeB)
            throw new ArgumentException("The dot-product path computes A·Bᵀ only.");
        Validate(a.Length, b.Length, c.Length, m, n, k);
        fixed (T* pa = a, pb = b, pc = c)
            GemmDots.Multiply(pa, pb, pc, m, n, k, accumulate);
    }

    internal static void Validate(int aLength, int bLength, int cLength, int m, int n, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        if (aLength < (long)m * k)
            throw new ArgumentException($"A holds {aLength} values but op(A) is [{m}, {k}].", "a");
        if (bLength < (long)k * n)
            throw new ArgumentException($"B holds {bLength} values but op(B) is [{k}, {n}].", "b");
        if (cLength < (long)m * n)
            throw new ArgumentException($"C holds {cLength} values but C is [{m}, {n}].", "c");
    }
}
