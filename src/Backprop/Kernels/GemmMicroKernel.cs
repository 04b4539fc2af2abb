using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Backprop.Kernels;

/// <summary>
/// Register-blocked microkernels: C[MR, NR] (+)= Apanel · Bpanel over one KC slice, where the packed
/// A micro-panel holds MR values per k step and the packed B micro-panel NR values per k step
/// (see <see cref="GemmPacking"/>). Each kernel writes a full tile; the driver routes edge tiles
/// through a scratch tile.
/// </summary>
internal static unsafe partial class GemmMicroKernel
{
    // NOTE: the typeof(T) tests are JIT-time constants, so each instantiation keeps exactly one branch.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<T> Fma<T>(Vector512<T> x, Vector512<T> y, Vector512<T> addend)
    {
        if (typeof(T) == typeof(float))
            return Vector512.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), addend.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double))
            return Vector512.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), addend.AsDouble()).As<double, T>();
        return x * y + addend;
    }

    // MultiplyAddEstimate fuses where the CPU has FMA and falls back to multiply + add where it has not.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Fma<T>(Vector256<T> x, Vector256<T> y, Vector256<T> addend)
    {
        if (typeof(T) == typeof(float))
            return Vector256.MultiplyAddEstimate(x.AsSingle(), y.AsSingle(), addend.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double))
            return Vector256.MultiplyAddEstimate(x.AsDouble(), y.AsDouble(), addend.AsDouble()).As<double, T>();
        return x * y + addend;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<T> Fma<T>(Vector128<T> x, Vector128<T> y, Vector128<T> addend)
    {
        if (typeof(T) == typeof(float))
            return Vector128.MultiplyAddEstimate(x.AsSingle(), y.AsSingle(), addend.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double))
            return Vector128.MultiplyAddEstimate(x.AsDouble(), y.AsDouble(), addend.AsDouble()).As<double, T>();
        return x * y + addend;
    }

    // C[4, 4] (+)= Apanel[kc, 4] · Bpanel[kc, 4]: the portable fallback.
    internal static void ScalarKernel<T>(nint kc, T* a, T* b, T* c, nint ldc, bool addToC)
        where T : unmanaged, System.Numerics.INumber<T>
    {
        T c00 = T.Zero, c01 = T.Zero, c02 = T.Zero, c03 = T.Zero;
        T c10 = T.Zero, c11 = T.Zero, c12 = T.Zero, c13 = T.Zero;
        T c20 = T.Zero, c21 = T.Zero, c22 = T.Zero, c23 = T.Zero;
        T c30 = T.Zero, c31 = T.Zero, c32 = T.Zero, c33 = T.Zero;
        for (; kc > 0; kc--)
        {
            T b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
            T a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
            c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
            c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
            c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
            c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            a += 4;
            b += 4;
        }
        T* r0 = c, r1 = c + ldc, r2 = c + 2 * ldc, r3 = c + 3 * ldc;
        if (addToC)
        {
            c00 += r0[0]; c01 += r0[1]; c02 += r0[2]; c03 += r0[3];
            c10 += r1[0]; c11 += r1[1]; c12 += r1[2]; c13 += r1[3];
            c20 += r2[0]; c21 += r2[1]; c22 += r2[2]; c23 += r2[3];
            c30 += r3[0]; c31 += r3[1]; c32 += r3[2]; c33 += r3[3];
        }
        r0[0] = c00; r0[1] = c01; r0[2] = c02; r0[3] = c03;
        r1[0] = c10; r1[1] = c11; r1[2] = c12; r1[3] = c13;
        r2[0] = c20; r2[1] = c21; r2[2] = c22; r2[3] = c23;
        r3[0] = c30; r3[1] = c31; r3[2] = c32; r3[3] = c33;
    }
}
