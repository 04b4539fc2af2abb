using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
        if (transposed)
        {
            DealRuns(a + (nint)p0 * lda + i0, lda, mc, kc, mr, 0, GemmDriver.Ceiling(mc, mr), 0, kc, packed, streaming: false);
            return;
        }
        for (int r = 0; r < mc; r += mr, packed += (nint)mr * kc)
            Interleave(a + (i0 + r) * lda + p0, lda, Math.Min(mr, mc - r), kc, mr, packed);
    }

    /// <summary>
    /// Packs micro-panels [firstPanel, endPanel) of op(B)[p0 .. p0+kc, j0 .. j0+nc], each [kc, nr].
    /// op(B)[p, j] is b[p*ldb + j], or b[j*ldb + p] when transposed.
    /// </summary>
    public static void PackB<T>(T* b, nint ldb, bool transposed, int p0, int kc, int j0, int nc, int nr,
        int firstPanel, int endPanel, T* packed) where T : unmanaged
    {
        if (!transposed)
        {
            DealRuns(b + (nint)p0 * ldb + j0, ldb, nc, kc, nr, firstPanel, endPanel, 0, kc, packed, Streams<T>(kc, nc, nr));
            return;
        }
        packed += (nint)firstPanel * nr * kc;
        for (int q = firstPanel; q < endPanel; q++, packed += (nint)nr * kc)
        {
            int j = q * nr;
            Interleave(b + (j0 + j) * ldb + p0, ldb, Math.Min(nr, nc - j), kc, nr, packed);
        }
    }

    /// <summary>
    /// How many parts <see cref="PackBPart"/> cuts the packing of op(B)[p0 .. p0+kc, j0 .. j0+nc] into, for threads
    /// that share it: whole micro-panels when B is transposed, else bands of depth rows across all panels.
    /// </summary>
    public static int PackBParts(bool transposed, int kc, int nc, int nr)
        => transposed ? GemmDriver.Ceiling(nc, nr) : GemmDriver.Ceiling(kc, RowsPerPart);

    // 32 rows of a 1024-wide B is 128 KiB read per part: large enough to stream, small enough to share out.
    private const int RowsPerPart = 32;

    /// <summary>Packs part <paramref name="part"/> of <see cref="PackBParts"/> into the same places PackB would.</summary>
    public static void PackBPart<T>(T* b, nint ldb, bool transposed, int p0, int kc, int j0, int nc, int nr, int part,
        T* packed) where T : unmanaged
    {
        if (transposed)
            PackB(b, ldb, true, p0, kc, j0, nc, nr, part, part + 1, packed);
        else
            DealRuns(b + (nint)p0 * ldb + j0, ldb, nc, kc, nr, 0, GemmDriver.Ceiling(nc, nr), part * RowsPerPart,
                Math.Min(kc, (part + 1) * RowsPerPart), packed, Streams<T>(kc, nc, nr));
    }

    // target[p*stride + r] = source[r*ld + p] for r < rows, p < count, and zeros for rows <= r < stride:
    // `rows` rows of storage become the columns of the packed panel.
    private static void Interleave<T>(T* source, nint ld, int rows, int count, int stride, T* target) where T : unmanaged
    {
        if (typeof(T) == typeof(float) && Avx512F.IsSupported && count >= 16)
        {
            Interleave16((float*)source, ld, rows, count, stride, (float*)target);
            return;
        }
        int r = 0;
        if (typeof(T) == typeof(float) && Sse.IsSupported)
            for (; r + 4 <= rows; r += 4)
                Transpose4((float*)source + r * ld, ld, count, stride, (float*)target + r);
        else if (typeof(T) == typeof(double) && Avx.IsSupported)
            for (; r + 4 <= rows; r += 4)
                Transpose4((double*)source + r * ld, ld, count, stride, (double*)target + r);
        for (; r < rows; r++)
        {
            T* from = source + r * ld;
            T* to = target + r;
            for (int p = 0; p < count; p++, to += stride)
                *to = from[p];
        }
        for (; r < stride; r++)
        {
            T* to = target + r;
            for (int p = 0; p < count; p++, to += stride)
                *to = default;
        }
    }

    // Sixteen rows at a time, sixteen k steps at a time: a 16×16 transpose in registers per step, rows past
    // `rows` read as zeros, and a masked store where the panel is narrower than 16 (the 14-row A panels).
    // NOTE: four times fewer loads and stores than the 4×4 transposes, and no scalar rows left over for MR = 14.
    private static void Interleave16(float* source, nint ld, int rows, int count, int stride, float* target)
    {
        int blocked = count & ~15;
        for (int r0 = 0; r0 < stride; r0 += 16)
        {
            int lanes = Math.Min(16, stride - r0);
            int valid = Math.Clamp(rows - r0, 0, lanes);
            var mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(lanes)).AsSingle();
            float* from = source + r0 * ld;
            float* to = target + r0;
            for (int p = 0; p < blocked; p += 16, from += 16, to += 16 * stride)
            {
                Vector512<float> x0 = Row(from, ld, 0, valid), x1 = Row(from, ld, 1, valid), x2 = Row(from, ld, 2, valid), x3 = Row(from, ld, 3, valid);
                Vector512<float> x4 = Row(from, ld, 4, valid), x5 = Row(from, ld, 5, valid), x6 = Row(from, ld, 6, valid), x7 = Row(from, ld, 7, valid);
                Vector512<float> x8 = Row(from, ld, 8, valid), x9 = Row(from, ld, 9, valid), x10 = Row(from, ld, 10, valid), x11 = Row(from, ld, 11, valid);
                Vector512<float> x12 = Row(from, ld, 12, valid), x13 = Row(from, ld, 13, valid), x14 = Row(from, ld, 14, valid), x15 = Row(from, ld, 15, valid);
                // 32-bit interleave of row pairs, then 64-bit: u(4g+q) holds rows 4g..4g+3 of column 4L+q in 128-bit lane L.
                var t0 = Avx512F.UnpackLow(x0, x1); var t1 = Avx512F.UnpackHigh(x0, x1);
                var t2 = Avx512F.UnpackLow(x2, x3); var t3 = Avx512F.UnpackHigh(x2, x3);
                var t4 = Avx512F.UnpackLow(x4, x5); var t5 = Avx512F.UnpackHigh(x4, x5);
                var t6 = Avx512F.UnpackLow(x6, x7); var t7 = Avx512F.UnpackHigh(x6, x7);
                var t8 = Avx512F.UnpackLow(x8, x9); var t9 = Avx512F.UnpackHigh(x8, x9);
                var t10 = Avx512F.UnpackLow(x10, x11); var t11 = Avx512F.UnpackHigh(x10, x11);
                var t12 = Avx512F.UnpackLow(x12, x13); var t13 = Avx512F.UnpackHigh(x12, x13);
                var t14 = Avx512F.UnpackLow(x14, x15); var t15 = Avx512F.UnpackHigh(x14, x15);
                Columns4(Low64(t0, t2), Low64(t4, t6), Low64(t8, t10), Low64(t12, t14), to, stride, mask, lanes);
                Columns4(High64(t0, t2), High64(t4, t6), High64(t8, t10), High64(t12, t14), to + stride, stride, mask, lanes);
                Columns4(Low64(t1, t3), Low64(t5, t7), Low64(t9, t11), Low64(t13, t15), to + 2 * stride, stride, mask, lanes);
                Columns4(High64(t1, t3), High64(t5, t7), High64(t9, t11), High64(t13, t15), to + 3 * stride, stride, mask, lanes);
            }
        }
        for (int p = blocked; p < count; p++)
            for (int r = 0; r < stride; r++)
                target[p * stride + r] = r < rows ? source[r * ld + p] : 0;
    }

    private static Vector512<float> Row(float* from, nint ld, int row, int valid)
        => row < valid ? Vector512.Load(from + row * ld) : default;

    private static Vector512<float> Low64(Vector512<float> x, Vector512<float> y)
        => Avx512F.UnpackLow(x.AsDouble(), y.AsDouble()).AsSingle();

    private static Vector512<float> High64(Vector512<float> x, Vector512<float> y)
        => Avx512F.UnpackHigh(x.AsDouble(), y.AsDouble()).AsSingle();

    // u0..u3 hold rows 0-3, 4-7, 8-11, 12-15 of columns q, q+4, q+8, q+12 (one per 128-bit lane): gather
    // each column's four lanes and store columns q, q+4, q+8, q+12 at `to`, to + 4·stride, …
    private static void Columns4(Vector512<float> u0, Vector512<float> u1, Vector512<float> u2, Vector512<float> u3,
        float* to, int stride, Vector512<float> mask, int lanes)
    {
        var evenLow = Avx512F.Shuffle4x128(u0, u1, 0x88);  // lanes 0, 2 of u0, then of u1
        var oddLow = Avx512F.Shuffle4x128(u0, u1, 0xDD);   // lanes 1, 3
        var evenHigh = Avx512F.Shuffle4x128(u2, u3, 0x88);
        var oddHigh = Avx512F.Shuffle4x128(u2, u3, 0xDD);
        Store(Avx512F.Shuffle4x128(evenLow, evenHigh, 0x88), to, mask, lanes);              // lane 0: column q
        Store(Avx512F.Shuffle4x128(oddLow, oddHigh, 0x88), to + 4 * stride, mask, lanes);   // lane 1: q + 4
        Store(Avx512F.Shuffle4x128(evenLow, evenHigh, 0xDD), to + 8 * stride, mask, lanes); // lane 2: q + 8
        Store(Avx512F.Shuffle4x128(oddLow, oddHigh, 0xDD), to + 12 * stride, mask, lanes);  // lane 3: q + 12
    }

    private static void Store(Vector512<float> column, float* to, Vector512<float> mask, int lanes)
    {
        if (lanes == 16)
            Vector512.Store(column, to);
        else
            Avx512F.MaskStore(to, mask, column);
    }

    // Four rows at a time, four k steps at a time: a 4×4 transpose in registers per step.
    private static void Transpose4(float* source, nint ld, int count, int stride, float* target)
    {
        int p = 0;
        for (; p + 4 <= count; p += 4, source += 4, target += 4 * stride)
        {
            var x0 = Sse.LoadVector128(source);          // a0 a1 a2 a3
            var x1 = Sse.LoadVector128(source + ld);     // b0 b1 b2 b3
            var x2 = Sse.LoadVector128(source + 2 * ld); // c0 …
            var x3 = Sse.LoadVector128(source + 3 * ld); // d0 …
            var t0 = Sse.UnpackLow(x0, x1);  // a0 b0 a1 b1
            var t1 = Sse.UnpackHigh(x0, x1); // a2 b2 a3 b3
            var t2 = Sse.UnpackLow(x2, x3);  // c0 d0 c1 d1
            var t3 = Sse.UnpackHigh(x2, x3); // c2 d2 c3 d3
            Sse.Store(target, Sse.MoveLowToHigh(t0, t2));              // a0 b0 c0 d0
            Sse.Store(target + stride, Sse.MoveHighToLow(t2, t0));     // a1 b1 c1 d1
            Sse.Store(target + 2 * stride, Sse.MoveLowToHigh(t1, t3)); // a2 b2 c2 d2
            Sse.Store(target + 3 * stride, Sse.MoveHighToLow(t3, t1)); // a3 b3 c3 d3
        }
        for (; p < count; p++, source++, target += stride)
        {
            target[0] = source[0];
            target[1] = source[ld];
            target[2] = source[2 * ld];
            target[3] = source[3 * ld];
        }
    }

    private static void Transpose4(double* source, nint ld, int count, int stride, double* target)
    {
        int p = 0;
        for (; p + 4 <= count; p += 4, source += 4, target += 4 * stride)
        {
            var x0 = Avx.LoadVector256(source);
            var x1 = Avx.LoadVector256(source + ld);
            var x2 = Avx.LoadVector256(source + 2 * ld);
            var x3 = Avx.LoadVector256(source + 3 * ld);
            var t0 = Avx.UnpackLow(x0, x1);  // a0 b0 a2 b2
            var t1 = Avx.UnpackHigh(x0, x1); // a1 b1 a3 b3
            var t2 = Avx.UnpackLow(x2, x3);  // c0 d0 c2 d2
            var t3 = Avx.UnpackHigh(x2, x3); // c1 d1 c3 d3
            Avx.Store(target, Avx.Permute2x128(t0, t2, 0x20));              // a0 b0 c0 d0
            Avx.Store(target + stride, Avx.Permute2x128(t1, t3, 0x20));     // a1 b1 c1 d1
            Avx.Store(target + 2 * stride, Avx.Permute2x128(t0, t2, 0x31)); // a2 b2 c2 d2
            Avx.Store(target + 3 * stride, Avx.Permute2x128(t1, t3, 0x31)); // a3 b3 c3 d3
        }
        for (; p < count; p++, source++, target += stride)
        {
            target[0] = source[0];
            target[1] = source[ld];
            target[2] = source[2 * ld];
            target[3] = source[3 * ld];
        }
    }

    // Panel q of the packed block starts at target + q·stride·steps and holds columns q·stride .. q·stride+stride of
    // the source, row p at offset p·stride: target[q·stride·steps + p·stride + r] = source[p·ld + q·stride + r]
    // for q·stride + r < count, zeros past it. Fills panels [firstPanel, endPanel), rows [firstStep, endStep).
    // NOTE: row by row, each source row read once left to right. Going panel by panel down the rows read 128
    // bytes per row, each on a new 4 KiB page at n = 1024: the hardware prefetchers stop at page boundaries,
    // so every line was a demand miss, and packing B took 0.4-0.5 ms of a 10.9 ms product on one core.
    // With `streaming`, whole 64-byte runs are written with non-temporal stores (see StreamingBytes).
    private static void DealRuns<T>(T* source, nint ld, int count, int steps, int stride, int firstPanel, int endPanel,
        int firstStep, int endStep, T* target, bool streaming) where T : unmanaged
    {
        nint panelSize = (nint)stride * steps;
        for (int p = firstStep; p < endStep; p++)
        {
            T* from = source + p * ld;
            T* to = target + (nint)p * stride;
            for (int q = firstPanel; q < endPanel; q++)
                CopyRun(from + q * stride, to + q * panelSize, Math.Min(stride, count - q * stride), stride, streaming);
        }
        // Non-temporal stores are weakly ordered: make them visible before the threads are told B is packed.
        if (streaming)
            Sse.StoreFence();
    }

    // NOTE: a packed slice of B this large (n = 1024 and 2048 at Kc = 1024) is written with non-temporal
    // stores. It is far larger than an L2, so most of it is evicted before the microkernels come to it anyway,
    // and ordinary stores first read every line of the buffer from memory, on a machine where packing B
    // already waits on memory (it ran at the speed of a cold memcpy, ~12 GB/s). Alternating whole runs of
    // `bench gemm` against ordinary stores: faster in 4 of 5 pairs at n = 1024 and 5 of 5 at n = 2048 (medians
    // 338 against 321 and 352 against 340 GFLOP/s on a busy machine). Small slices (the training shapes) stay
    // in cache for the microkernels, so they keep ordinary stores.
    private const long StreamingBytes = 4 << 20;

    private static bool Streams<T>(int kc, int nc, int nr) where T : unmanaged
        => Avx512F.IsSupported && (long)kc * GemmDriver.RoundUp(nc, nr) * sizeof(T) >= StreamingBytes;

    // target[r] = source[r] for r < count, zeros up to stride.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void CopyRun<T>(T* source, T* target, int count, int stride, bool streaming) where T : unmanaged
    {
        nint bytes = (nint)count * sizeof(T);
        byte* from = (byte*)source, to = (byte*)target;
        nint done = 0;
        if (streaming && ((nint)to & 63) == 0)
            for (; done + 64 <= bytes; done += 64)
                Avx512F.StoreAlignedNonTemporal((float*)(to + done), Vector512.Load((float*)(from + done)));
        for (; done + 64 <= bytes; done += 64)
            Vector512.Store(Vector512.Load(from + done), to + done);
        if (done + 32 <= bytes)
        {
            Vector256.Store(Vector256.Load(from + done), to + done);
            done += 32;
        }
        if (done + 16 <= bytes)
        {
            Vector128.Store(Vector128.Load(from + done), to + done);
            done += 16;
        }
        for (nint r = done / sizeof(T); r < count; r++)
            target[r] = source[r];
        for (nint r = count; r < stride; r++)
            target[r] = default;
    }
}
