using System.Numerics;
using System.Runtime.Intrinsics;

namespace Backprop.Kernels;

/// <summary>
/// Direct loops for products too small to repay packing: no buffers, no threads, no setup. Used for
/// tiny products and for a few rows times a large matrix (batch-1 inference), where B is read once anyway.
/// </summary>
internal static unsafe class GemmSmall
{
    public static void Multiply<T>(T* a, T* b, T* c, int m, int n, int k, bool transposeA, bool transposeB,
        bool accumulate) where T : unmanaged, INumber<T>
    {
        // op(A)[i, p] = a[i*rowStrideA + p*depthStrideA]
        nint rowStrideA = transposeA ? 1 : k, depthStrideA = transposeA ? m : 1;
        if (!transposeB)
            RowsTimesB(a, rowStrideA, depthStrideA, b, c, m, n, k, accumulate);
        else if (!transposeA)
            RowsDotRows(a, b, c, m, n, k, accumulate);
        else
            Scalar(a, rowStrideA, depthStrideA, b, c, m, n, k, accumulate);
    }

    // C[i, :] (+)= Σp op(A)[i, p] · B[p, :], with B stored [k, n]: vectors run along a row of B.
    private static void RowsTimesB<T>(T* a, nint rowStrideA, nint depthStrideA, T* b, T* c, int m, int n, int k,
        bool accumulate) where T : unmanaged, INumber<T>
    {
        for (int i = 0; i < m; i++)
        {
            T* aRow = a + i * rowStrideA;
            T* cRow = c + (nint)i * n;
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                int w = Vector512<T>.Count;
                for (; j + 4 * w <= n; j += 4 * w)
                {
                    Vector512<T> s0 = default, s1 = default, s2 = default, s3 = default;
                    T* bp = b + j;
                    for (int p = 0; p < k; p++, bp += n)
                    {
                        var ap = Vector512.Create(aRow[p * depthStrideA]);
                        s0 += ap * Vector512.Load(bp);
                        s1 += ap * Vector512.Load(bp + w);
                        s2 += ap * Vector512.Load(bp + 2 * w);
                        s3 += ap * Vector512.Load(bp + 3 * w);
                    }
                    if (accumulate)
                    {
                        s0 += Vector512.Load(cRow + j); s1 += Vector512.Load(cRow + j + w);
                        s2 += Vector512.Load(cRow + j + 2 * w); s3 += Vector512.Load(cRow + j + 3 * w);
                    }
                    s0.Store(cRow + j); s1.Store(cRow + j + w); s2.Store(cRow + j + 2 * w); s3.Store(cRow + j + 3 * w);
                }
                for (; j + w <= n; j += w)
                {
                    Vector512<T> s0 = default, s1 = default;
                    T* bp = b + j;
                    int p = 0;
                    for (; p + 2 <= k; p += 2, bp += 2 * n)
                    {
                        s0 += Vector512.Create(aRow[p * depthStrideA]) * Vector512.Load(bp);
                        s1 += Vector512.Create(aRow[(p + 1) * depthStrideA]) * Vector512.Load(bp + n);
                    }
                    if (p < k)
                        s0 += Vector512.Create(aRow[p * depthStrideA]) * Vector512.Load(bp);
                    s0 += s1;
                    if (accumulate)
                        s0 += Vector512.Load(cRow + j);
                    s0.Store(cRow + j);
                }
            }
            if (Vector256.IsHardwareAccelerated)
            {
                int w = Vector256<T>.Count;
                for (; j + w <= n; j += w)
                {
                    Vector256<T> s0 = default;
                    T* bp = b + j;
                    for (int p = 0; p < k; p++, bp += n)
                        s0 += Vector256.Create(aRow[p * depthStrideA]) * Vector256.Load(bp);
                    if (accumulate)
                        s0 += Vector256.Load(cRow + j);
                    s0.Store(cRow + j);
                }
            }
            for (; j < n; j++)
            {
                T sum = T.Zero;
                T* bp = b + j;
                for (int p = 0; p < k; p++, bp += n)
                    sum += aRow[p * depthStrideA] * *bp;
                cRow[j] = accumulate ? cRow[j] + sum : sum;
            }
        }
    }

    // C[i, j] (+)= A[i, :] · B[j, :], with A stored [m, k] and B stored [n, k]: contiguous dot products.
    private static void RowsDotRows<T>(T* a, T* b, T* c, int m, int n, int k, bool accumulate)
        where T : unmanaged, INumber<T>
    {
        for (int i = 0; i < m; i++)
        {
            T* aRow = a + (nint)i * k;
            T* cRow = c + (nint)i * n;
            int j = 0;
            for (; j + 4 <= n; j += 4)
            {
                T* b0 = b + (nint)j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
                T d0 = T.Zero, d1 = T.Zero, d2 = T.Zero, d3 = T.Zero;
                int p = 0;
                if (Vector512.IsHardwareAccelerated && k >= Vector512<T>.Count)
                {
                    int w = Vector512<T>.Count;
                    Vector512<T> s0 = default, s1 = default, s2 = default, s3 = default;
                    for (; p + w <= k; p += w)
                    {
                        var ap = Vector512.Load(aRow + p);
                        s0 += ap * Vector512.Load(b0 + p);
                        s1 += ap * Vector512.Load(b1 + p);
                        s2 += ap * Vector512.Load(b2 + p);
                        s3 += ap * Vector512.Load(b3 + p);
                    }
                    d0 = Vector512.Sum(s0); d1 = Vector512.Sum(s1); d2 = Vector512.Sum(s2); d3 = Vector512.Sum(s3);
                }
                else if (Vector256.IsHardwareAccelerated && k >= Vector256<T>.Count)
                {
                    int w = Vector256<T>.Count;
                    Vector256<T> s0 = default, s1 = default, s2 = default, s3 = default;
                    for (; p + w <= k; p += w)
                    {
                        var ap = Vector256.Load(aRow + p);
                        s0 += ap * Vector256.Load(b0 + p);
                        s1 += ap * Vector256.Load(b1 + p);
                        s2 += ap * Vector256.Load(b2 + p);
                        s3 += ap * Vector256.Load(b3 + p);
                    }
                    d0 = Vector256.Sum(s0); d1 = Vector256.Sum(s1); d2 = Vector256.Sum(s2); d3 = Vector256.Sum(s3);
                }
                for (; p < k; p++)
                {
                    T ap = aRow[p];
                    d0 += ap * b0[p]; d1 += ap * b1[p]; d2 += ap * b2[p]; d3 += ap * b3[p];
                }
                if (accumulate)
                {
                    d0 += cRow[j]; d1 += cRow[j + 1]; d2 += cRow[j + 2]; d3 += cRow[j + 3];
                }
                cRow[j] = d0; cRow[j + 1] = d1; cRow[j + 2] = d2; cRow[j + 3] = d3;
            }
            for (; j < n; j++)
            {
                T* bRow = b + (nint)j * k;
                T sum = T.Zero;
                for (int p = 0; p < k; p++)
                    sum += aRow[p] * bRow[p];
                cRow[j] = accumulate ? cRow[j] + sum : sum;
            }
        }
    }

    // Aᵀ·Bᵀ: neither operand runs contiguously along k, and only tiny products come here.
    private static void Scalar<T>(T* a, nint rowStrideA, nint depthStrideA, T* b, T* c, int m, int n, int k,
        bool accumulate) where T : unmanaged, INumber<T>
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                T sum = T.Zero;
                for (int p = 0; p < k; p++)
                    sum += a[i * rowStrideA + p * depthStrideA] * b[(nint)j * k + p];
                c[(nint)i * n + j] = accumulate ? c[(nint)i * n + j] + sum : sum;
            }
        }
    }
}
