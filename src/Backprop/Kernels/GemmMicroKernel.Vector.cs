// Generated shape, hand-checked: one register tile of accumulators per kernel. NOTE: the JIT keeps each
// accumulator in its own register only while the count fits the register file (32 zmm with AVX-512,
// 16 ymm/xmm with AVX2/SSE), which is what picks MR×NR for each width.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Kernels;

internal static unsafe partial class GemmMicroKernel
{
    // C[14, 2·W] (+)= Apanel[kc, 14] · Bpanel[kc, 2·W]; W = Vector512<T>.Count.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Vector512Kernel<T>(nint kc, T* a, T* b, T* c, nint ldc, bool addToC) where T : unmanaged
    {
        nint w = Vector512<T>.Count;
        Vector512<T> c0_0 = default, c0_1 = default;
        Vector512<T> c1_0 = default, c1_1 = default;
        Vector512<T> c2_0 = default, c2_1 = default;
        Vector512<T> c3_0 = default, c3_1 = default;
        Vector512<T> c4_0 = default, c4_1 = default;
        Vector512<T> c5_0 = default, c5_1 = default;
        Vector512<T> c6_0 = default, c6_1 = default;
        Vector512<T> c7_0 = default, c7_1 = default;
        Vector512<T> c8_0 = default, c8_1 = default;
        Vector512<T> c9_0 = default, c9_1 = default;
        Vector512<T> c10_0 = default, c10_1 = default;
        Vector512<T> c11_0 = default, c11_1 = default;
        Vector512<T> c12_0 = default, c12_1 = default;
        Vector512<T> c13_0 = default, c13_1 = default;
        // NOTE: C is touched once per Kc slice; start fetching its lines while the k loop runs.
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(c + 0*ldc); Sse.Prefetch0((byte*)(c + 0*ldc) + 64 * 2 - 1);
            Sse.Prefetch0(c + 1*ldc); Sse.Prefetch0((byte*)(c + 1*ldc) + 64 * 2 - 1);
            Sse.Prefetch0(c + 2*ldc); Sse.Prefetch0((byte*)(c + 2*ldc) + 64 * 2 - 1);
            Sse.Prefetch0(c + 3*ldc); Sse.Prefetch0((byte*)(c + 3*ldc) + 64 * 2 - 1);
            Sse.Prefetch0(c + 4*ldc); Sse.Prefetch0((byte*)(c + 4*ldc) + 64 * 2 - 1);
            Sse.Prefetch0(c + 5*ldc); Sse.Prefetch0((byte*)(c + 5*ldc) + 64 * 2 - 1);
            Sse.Prefetch0(c + 6*ldc); Sse.Prefetch0((byte*)(c + 6*ldc) + 64 * 2 - 1);
            Sse.Prefetch0(c + 7*ldc); Sse.Prefetch0((byte*)(c + 7*ldc) + 64 * 2 - 1);
            Sse.Prefetch0(c + 8*ldc); Sse.Prefetch0((byte*)(c + 8*ldc) + 64 * 2 - 1);
            Sse.Prefetch0(c + 9*ldc); Sse.Prefetch0((byte*)(c + 9*ldc) + 64 * 2 - 1);
            Sse.Prefetch0(c + 10*ldc); Sse.Prefetch0((byte*)(c + 10*ldc) + 64 * 2 - 1);
            Sse.Prefetch0(c + 11*ldc); Sse.Prefetch0((byte*)(c + 11*ldc) + 64 * 2 - 1);
            Sse.Prefetch0(c + 12*ldc); Sse.Prefetch0((byte*)(c + 12*ldc) + 64 * 2 - 1);
            Sse.Prefetch0(c + 13*ldc); Sse.Prefetch0((byte*)(c + 13*ldc) + 64 * 2 - 1);
        }
        for (; kc > 0; kc--)
        {
            Vector512<T> b0 = Vector512.Load(b);
            Vector512<T> b1 = Vector512.Load(b + 0*w + 1*w);
            Vector512<T> a0 = Vector512.Create(a[0]);
            c0_0 = Fma(a0, b0, c0_0);
            c0_1 = Fma(a0, b1, c0_1);
            Vector512<T> a1 = Vector512.Create(a[1]);
            c1_0 = Fma(a1, b0, c1_0);
            c1_1 = Fma(a1, b1, c1_1);
            Vector512<T> a2 = Vector512.Create(a[2]);
            c2_0 = Fma(a2, b0, c2_0);
            c2_1 = Fma(a2, b1, c2_1);
            Vector512<T> a3 = Vector512.Create(a[3]);
            c3_0 = Fma(a3, b0, c3_0);
            c3_1 = Fma(a3, b1, c3_1);
            Vector512<T> a4 = Vector512.Create(a[4]);
            c4_0 = Fma(a4, b0, c4_0);
            c4_1 = Fma(a4, b1, c4_1);
            Vector512<T> a5 = Vector512.Create(a[5]);
            c5_0 = Fma(a5, b0, c5_0);
            c5_1 = Fma(a5, b1, c5_1);
            Vector512<T> a6 = Vector512.Create(a[6]);
            c6_0 = Fma(a6, b0, c6_0);
            c6_1 = Fma(a6, b1, c6_1);
            Vector512<T> a7 = Vector512.Create(a[7]);
            c7_0 = Fma(a7, b0, c7_0);
            c7_1 = Fma(a7, b1, c7_1);
            Vector512<T> a8 = Vector512.Create(a[8]);
            c8_0 = Fma(a8, b0, c8_0);
            c8_1 = Fma(a8, b1, c8_1);
            Vector512<T> a9 = Vector512.Create(a[9]);
            c9_0 = Fma(a9, b0, c9_0);
            c9_1 = Fma(a9, b1, c9_1);
            Vector512<T> a10 = Vector512.Create(a[10]);
            c10_0 = Fma(a10, b0, c10_0);
            c10_1 = Fma(a10, b1, c10_1);
            Vector512<T> a11 = Vector512.Create(a[11]);
            c11_0 = Fma(a11, b0, c11_0);
            c11_1 = Fma(a11, b1, c11_1);
            Vector512<T> a12 = Vector512.Create(a[12]);
            c12_0 = Fma(a12, b0, c12_0);
            c12_1 = Fma(a12, b1, c12_1);
            Vector512<T> a13 = Vector512.Create(a[13]);
            c13_0 = Fma(a13, b0, c13_0);
            c13_1 = Fma(a13, b1, c13_1);
            a += 14;
            b += 2*w;
        }
        if (addToC)
        {
            c0_0 += Vector512.Load(c + 0*ldc + 0*w);
            c0_1 += Vector512.Load(c + 0*ldc + 1*w);
            c1_0 += Vector512.Load(c + 1*ldc + 0*w);
            c1_1 += Vector512.Load(c + 1*ldc + 1*w);
            c2_0 += Vector512.Load(c + 2*ldc + 0*w);
            c2_1 += Vector512.Load(c + 2*ldc + 1*w);
            c3_0 += Vector512.Load(c + 3*ldc + 0*w);
            c3_1 += Vector512.Load(c + 3*ldc + 1*w);
            c4_0 += Vector512.Load(c + 4*ldc + 0*w);
            c4_1 += Vector512.Load(c + 4*ldc + 1*w);
            c5_0 += Vector512.Load(c + 5*ldc + 0*w);
            c5_1 += Vector512.Load(c + 5*ldc + 1*w);
            c6_0 += Vector512.Load(c + 6*ldc + 0*w);
            c6_1 += Vector512.Load(c + 6*ldc + 1*w);
            c7_0 += Vector512.Load(c + 7*ldc + 0*w);
            c7_1 += Vector512.Load(c + 7*ldc + 1*w);
            c8_0 += Vector512.Load(c + 8*ldc + 0*w);
            c8_1 += Vector512.Load(c + 8*ldc + 1*w);
            c9_0 += Vector512.Load(c + 9*ldc + 0*w);
            c9_1 += Vector512.Load(c + 9*ldc + 1*w);
            c10_0 += Vector512.Load(c + 10*ldc + 0*w);
            c10_1 += Vector512.Load(c + 10*ldc + 1*w);
            c11_0 += Vector512.Load(c + 11*ldc + 0*w);
            c11_1 += Vector512.Load(c + 11*ldc + 1*w);
            c12_0 += Vector512.Load(c + 12*ldc + 0*w);
            c12_1 += Vector512.Load(c + 12*ldc + 1*w);
            c13_0 += Vector512.Load(c + 13*ldc + 0*w);
            c13_1 += Vector512.Load(c + 13*ldc + 1*w);
        }
        c0_0.Store(c + 0*ldc + 0*w);
        c0_1.Store(c + 0*ldc + 1*w);
        c1_0.Store(c + 1*ldc + 0*w);
        c1_1.Store(c + 1*ldc + 1*w);
        c2_0.Store(c + 2*ldc + 0*w);
        c2_1.Store(c + 2*ldc + 1*w);
        c3_0.Store(c + 3*ldc + 0*w);
        c3_1.Store(c + 3*ldc + 1*w);
        c4_0.Store(c + 4*ldc + 0*w);
        c4_1.Store(c + 4*ldc + 1*w);
        c5_0.Store(c + 5*ldc + 0*w);
        c5_1.Store(c + 5*ldc + 1*w);
        c6_0.Store(c + 6*ldc + 0*w);
        c6_1.Store(c + 6*ldc + 1*w);
        c7_0.Store(c + 7*ldc + 0*w);
        c7_1.Store(c + 7*ldc + 1*w);
        c8_0.Store(c + 8*ldc + 0*w);
        c8_1.Store(c + 8*ldc + 1*w);
        c9_0.Store(c + 9*ldc + 0*w);
        c9_1.Store(c + 9*ldc + 1*w);
        c10_0.Store(c + 10*ldc + 0*w);
        c10_1.Store(c + 10*ldc + 1*w);
        c11_0.Store(c + 11*ldc + 0*w);
        c11_1.Store(c + 11*ldc + 1*w);
        c12_0.Store(c + 12*ldc + 0*w);
        c12_1.Store(c + 12*ldc + 1*w);
        c13_0.Store(c + 13*ldc + 0*w);
        c13_1.Store(c + 13*ldc + 1*w);
    }

    // C[8, 2·W] (+)= Apanel[kc, 8] · Bpanel[kc, 2·W]; W = Vector512<T>.Count. The tile for products with few rows
    // (a batch of 32 or 128): it pads them to a multiple of 8 rather than 14, and on its own it runs as fast.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Vector512Kernel8<T>(nint kc, T* a, T* b, T* c, nint ldc, bool addToC) where T : unmanaged
    {
        nint w = Vector512<T>.Count;
        Vector512<T> c0_0 = default, c0_1 = default;
        Vector512<T> c1_0 = default, c1_1 = default;
        Vector512<T> c2_0 = default, c2_1 = default;
        Vector512<T> c3_0 = default, c3_1 = default;
        Vector512<T> c4_0 = default, c4_1 = default;
        Vector512<T> c5_0 = default, c5_1 = default;
        Vector512<T> c6_0 = default, c6_1 = default;
        Vector512<T> c7_0 = default, c7_1 = default;
        for (; kc > 0; kc--)
        {
            Vector512<T> b0 = Vector512.Load(b);
            Vector512<T> b1 = Vector512.Load(b + 0*w + 1*w);
            Vector512<T> a0 = Vector512.Create(a[0]);
            c0_0 = Fma(a0, b0, c0_0);
            c0_1 = Fma(a0, b1, c0_1);
            Vector512<T> a1 = Vector512.Create(a[1]);
            c1_0 = Fma(a1, b0, c1_0);
            c1_1 = Fma(a1, b1, c1_1);
            Vector512<T> a2 = Vector512.Create(a[2]);
            c2_0 = Fma(a2, b0, c2_0);
            c2_1 = Fma(a2, b1, c2_1);
            Vector512<T> a3 = Vector512.Create(a[3]);
            c3_0 = Fma(a3, b0, c3_0);
            c3_1 = Fma(a3, b1, c3_1);
            Vector512<T> a4 = Vector512.Create(a[4]);
            c4_0 = Fma(a4, b0, c4_0);
            c4_1 = Fma(a4, b1, c4_1);
            Vector512<T> a5 = Vector512.Create(a[5]);
            c5_0 = Fma(a5, b0, c5_0);
            c5_1 = Fma(a5, b1, c5_1);
            Vector512<T> a6 = Vector512.Create(a[6]);
            c6_0 = Fma(a6, b0, c6_0);
            c6_1 = Fma(a6, b1, c6_1);
            Vector512<T> a7 = Vector512.Create(a[7]);
            c7_0 = Fma(a7, b0, c7_0);
            c7_1 = Fma(a7, b1, c7_1);
            a += 8;
            b += 2*w;
        }
        if (addToC)
        {
            c0_0 += Vector512.Load(c + 0*ldc + 0*w);
            c0_1 += Vector512.Load(c + 0*ldc + 1*w);
            c1_0 += Vector512.Load(c + 1*ldc + 0*w);
            c1_1 += Vector512.Load(c + 1*ldc + 1*w);
            c2_0 += Vector512.Load(c + 2*ldc + 0*w);
            c2_1 += Vector512.Load(c + 2*ldc + 1*w);
            c3_0 += Vector512.Load(c + 3*ldc + 0*w);
            c3_1 += Vector512.Load(c + 3*ldc + 1*w);
            c4_0 += Vector512.Load(c + 4*ldc + 0*w);
            c4_1 += Vector512.Load(c + 4*ldc + 1*w);
            c5_0 += Vector512.Load(c + 5*ldc + 0*w);
            c5_1 += Vector512.Load(c + 5*ldc + 1*w);
            c6_0 += Vector512.Load(c + 6*ldc + 0*w);
            c6_1 += Vector512.Load(c + 6*ldc + 1*w);
            c7_0 += Vector512.Load(c + 7*ldc + 0*w);
            c7_1 += Vector512.Load(c + 7*ldc + 1*w);
        }
        c0_0.Store(c + 0*ldc + 0*w);
        c0_1.Store(c + 0*ldc + 1*w);
        c1_0.Store(c + 1*ldc + 0*w);
        c1_1.Store(c + 1*ldc + 1*w);
        c2_0.Store(c + 2*ldc + 0*w);
        c2_1.Store(c + 2*ldc + 1*w);
        c3_0.Store(c + 3*ldc + 0*w);
        c3_1.Store(c + 3*ldc + 1*w);
        c4_0.Store(c + 4*ldc + 0*w);
        c4_1.Store(c + 4*ldc + 1*w);
        c5_0.Store(c + 5*ldc + 0*w);
        c5_1.Store(c + 5*ldc + 1*w);
        c6_0.Store(c + 6*ldc + 0*w);
        c6_1.Store(c + 6*ldc + 1*w);
        c7_0.Store(c + 7*ldc + 0*w);
        c7_1.Store(c + 7*ldc + 1*w);
    }

    // C[6, 2·W] (+)= Apanel[kc, 6] · Bpanel[kc, 2·W]; W = Vector256<T>.Count.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Vector256Kernel<T>(nint kc, T* a, T* b, T* c, nint ldc, bool addToC) where T : unmanaged
    {
        nint w = Vector256<T>.Count;
        Vector256<T> c0_0 = default, c0_1 = default;
        Vector256<T> c1_0 = default, c1_1 = default;
        Vector256<T> c2_0 = default, c2_1 = default;
        Vector256<T> c3_0 = default, c3_1 = default;
        Vector256<T> c4_0 = default, c4_1 = default;
        Vector256<T> c5_0 = default, c5_1 = default;
        for (; kc > 0; kc--)
        {
            Vector256<T> b0 = Vector256.Load(b);
            Vector256<T> b1 = Vector256.Load(b + 0*w + 1*w);
            Vector256<T> a0 = Vector256.Create(a[0]);
            c0_0 = Fma(a0, b0, c0_0);
            c0_1 = Fma(a0, b1, c0_1);
            Vector256<T> a1 = Vector256.Create(a[1]);
            c1_0 = Fma(a1, b0, c1_0);
            c1_1 = Fma(a1, b1, c1_1);
            Vector256<T> a2 = Vector256.Create(a[2]);
            c2_0 = Fma(a2, b0, c2_0);
            c2_1 = Fma(a2, b1, c2_1);
            Vector256<T> a3 = Vector256.Create(a[3]);
            c3_0 = Fma(a3, b0, c3_0);
            c3_1 = Fma(a3, b1, c3_1);
            Vector256<T> a4 = Vector256.Create(a[4]);
            c4_0 = Fma(a4, b0, c4_0);
            c4_1 = Fma(a4, b1, c4_1);
            Vector256<T> a5 = Vector256.Create(a[5]);
            c5_0 = Fma(a5, b0, c5_0);
            c5_1 = Fma(a5, b1, c5_1);
            a += 6;
            b += 2*w;
        }
        if (addToC)
        {
            c0_0 += Vector256.Load(c + 0*ldc + 0*w);
            c0_1 += Vector256.Load(c + 0*ldc + 1*w);
            c1_0 += Vector256.Load(c + 1*ldc + 0*w);
            c1_1 += Vector256.Load(c + 1*ldc + 1*w);
            c2_0 += Vector256.Load(c + 2*ldc + 0*w);
            c2_1 += Vector256.Load(c + 2*ldc + 1*w);
            c3_0 += Vector256.Load(c + 3*ldc + 0*w);
            c3_1 += Vector256.Load(c + 3*ldc + 1*w);
            c4_0 += Vector256.Load(c + 4*ldc + 0*w);
            c4_1 += Vector256.Load(c + 4*ldc + 1*w);
            c5_0 += Vector256.Load(c + 5*ldc + 0*w);
            c5_1 += Vector256.Load(c + 5*ldc + 1*w);
        }
        c0_0.Store(c + 0*ldc + 0*w);
        c0_1.Store(c + 0*ldc + 1*w);
        c1_0.Store(c + 1*ldc + 0*w);
        c1_1.Store(c + 1*ldc + 1*w);
        c2_0.Store(c + 2*ldc + 0*w);
        c2_1.Store(c + 2*ldc + 1*w);
        c3_0.Store(c + 3*ldc + 0*w);
        c3_1.Store(c + 3*ldc + 1*w);
        c4_0.Store(c + 4*ldc + 0*w);
        c4_1.Store(c + 4*ldc + 1*w);
        c5_0.Store(c + 5*ldc + 0*w);
        c5_1.Store(c + 5*ldc + 1*w);
    }

    // C[6, 2·W] (+)= Apanel[kc, 6] · Bpanel[kc, 2·W]; W = Vector128<T>.Count.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Vector128Kernel<T>(nint kc, T* a, T* b, T* c, nint ldc, bool addToC) where T : unmanaged
    {
        nint w = Vector128<T>.Count;
        Vector128<T> c0_0 = default, c0_1 = default;
        Vector128<T> c1_0 = default, c1_1 = default;
        Vector128<T> c2_0 = default, c2_1 = default;
        Vector128<T> c3_0 = default, c3_1 = default;
        Vector128<T> c4_0 = default, c4_1 = default;
        Vector128<T> c5_0 = default, c5_1 = default;
        for (; kc > 0; kc--)
        {
            Vector128<T> b0 = Vector128.Load(b);
            Vector128<T> b1 = Vector128.Load(b + 0*w + 1*w);
            Vector128<T> a0 = Vector128.Create(a[0]);
            c0_0 = Fma(a0, b0, c0_0);
            c0_1 = Fma(a0, b1, c0_1);
            Vector128<T> a1 = Vector128.Create(a[1]);
            c1_0 = Fma(a1, b0, c1_0);
            c1_1 = Fma(a1, b1, c1_1);
            Vector128<T> a2 = Vector128.Create(a[2]);
            c2_0 = Fma(a2, b0, c2_0);
            c2_1 = Fma(a2, b1, c2_1);
            Vector128<T> a3 = Vector128.Create(a[3]);
            c3_0 = Fma(a3, b0, c3_0);
            c3_1 = Fma(a3, b1, c3_1);
            Vector128<T> a4 = Vector128.Create(a[4]);
            c4_0 = Fma(a4, b0, c4_0);
            c4_1 = Fma(a4, b1, c4_1);
            Vector128<T> a5 = Vector128.Create(a[5]);
            c5_0 = Fma(a5, b0, c5_0);
            c5_1 = Fma(a5, b1, c5_1);
            a += 6;
            b += 2*w;
        }
        if (addToC)
        {
            c0_0 += Vector128.Load(c + 0*ldc + 0*w);
            c0_1 += Vector128.Load(c + 0*ldc + 1*w);
            c1_0 += Vector128.Load(c + 1*ldc + 0*w);
            c1_1 += Vector128.Load(c + 1*ldc + 1*w);
            c2_0 += Vector128.Load(c + 2*ldc + 0*w);
            c2_1 += Vector128.Load(c + 2*ldc + 1*w);
            c3_0 += Vector128.Load(c + 3*ldc + 0*w);
            c3_1 += Vector128.Load(c + 3*ldc + 1*w);
            c4_0 += Vector128.Load(c + 4*ldc + 0*w);
            c4_1 += Vector128.Load(c + 4*ldc + 1*w);
            c5_0 += Vector128.Load(c + 5*ldc + 0*w);
            c5_1 += Vector128.Load(c + 5*ldc + 1*w);
        }
        c0_0.Store(c + 0*ldc + 0*w);
        c0_1.Store(c + 0*ldc + 1*w);
        c1_0.Store(c + 1*ldc + 0*w);
        c1_1.Store(c + 1*ldc + 1*w);
        c2_0.Store(c + 2*ldc + 0*w);
        c2_1.Store(c + 2*ldc + 1*w);
        c3_0.Store(c + 3*ldc + 0*w);
        c3_1.Store(c + 3*ldc + 1*w);
        c4_0.Store(c + 4*ldc + 0*w);
        c4_1.Store(c + 4*ldc + 1*w);
        c5_0.Store(c + 5*ldc + 0*w);
        c5_1.Store(c + 5*ldc + 1*w);
    }
}
