namespace Backprop.Kernels;

/// <summary>
/// Copies a block of op(A) or op(B) into the order the microkernel reads it, so that the kernel only
/// ever walks memory forwards. The transposes are folded in here: Aᵀ·B and A·Bᵀ never build a transpose.
/// Edge micro-panels are zero-padded to a full MR or NR, so the kernel needs no edge cases.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// Packs op(A)[i0 .. i0+mc, p0 .. p0+kc] as ⌈mc/mr⌉ micro-panels, each [kc, mr] (mr values per k step).
    /// op(A)[i, p] is a[i*lda + p], or a[p*lda + i] when transposed.
    /// </summary>
    public static void PackA<T>(T* a, nint lda, bool transposed, int i0, int mc, int p0, int kc, int mr, T* packed)
        where T : unmanaged
    {
        for (int r = 0; r < mc; r += mr, packed += (nint)mr * kc)
        {
            int rows = Math.Min(mr, mc - r);
            if (transposed)
            {
                // Each k step is a contiguous run of `rows` values in storage.
                T* source = a + (nint)p0 * lda + i0 + r;
                T* target = packed;
                for (int p = 0; p < kc; p++, source += lda, target += mr)
                {
                    Copy(source, target, rows);
                    Clear(target + rows, mr - rows);
                }
            }
            else
            {
                // Each row is contiguous in storage; scatter it with stride mr.
                for (int ii = 0; ii < rows; ii++)
                    Scatter(a + (i0 + r + ii) * lda + p0, packed + ii, kc, mr);
                for (int ii = rows; ii < mr; ii++)
                    Scatter(null, packed + ii, kc, mr);
            }
        }
    }

    /// <summary>
    /// Packs micro-panels [firstPanel, endPanel) of op(B)[p0 .. p0+kc, j0 .. j0+nc], each [kc, nr].
    /// op(B)[p, j] is b[p*ldb + j], or b[j*ldb + p] when transposed.
    /// </summary>
    public static void PackB<T>(T* b, nint ldb, bool transposed, int p0, int kc, int j0, int nc, int nr,
        int firstPanel, int endPanel, T* packed) where T : unmanaged
    {
        packed += (nint)firstPanel * nr * kc;
        for (int q = firstPanel; q < endPanel; q++, packed += (nint)nr * kc)
        {
            int j = q * nr;
            int cols = Math.Min(nr, nc - j);
            if (transposed)
            {
                for (int jj = 0; jj < cols; jj++)
                    Scatter(b + (j0 + j + jj) * ldb + p0, packed + jj, kc, nr);
                for (int jj = cols; jj < nr; jj++)
                    Scatter(null, packed + jj, kc, nr);
            }
            else
            {
                T* source = b + (nint)p0 * ldb + j0 + j;
                T* target = packed;
                for (int p = 0; p < kc; p++, source += ldb, target += nr)
                {
                    Copy(source, target, cols);
                    Clear(target + cols, nr - cols);
                }
            }
        }
    }

    // target[p*stride] = source[p] for p < count; zeros when source is null.
    private static void Scatter<T>(T* source, T* target, int count, int stride) where T : unmanaged
    {
        if (source == null)
        {
            for (int p = 0; p < count; p++, target += stride)
                *target = default;
            return;
        }
        int q = 0;
        for (; q + 4 <= count; q += 4, target += 4 * stride)
        {
            target[0] = source[q];
            target[stride] = source[q + 1];
            target[2 * stride] = source[q + 2];
            target[3 * stride] = source[q + 3];
        }
        for (; q < count; q++, target += stride)
            *target = source[q];
    }

    private static void Copy<T>(T* source, T* target, int count) where T : unmanaged
        => new ReadOnlySpan<T>(source, count).CopyTo(new Span<T>(target, count));

    private static void Clear<T>(T* target, int count) where T : unmanaged
    {
        if (count > 0)
            new Span<T>(target, count).Clear();
    }
}
