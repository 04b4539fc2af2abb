using System.Numerics;
using System.Numerics.Tensors;

namespace Backprop.Kernels;

/// <summary>Numerically careful reductions over spans.</summary>
public static class Reductions
{
    /// <summary>log Σ eˣ, shifted by the maximum so that no exponential overflows (an infinite maximum is returned as is).</summary>
    public static T LogSumExp<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T max = TensorPrimitives.Max(x);
        if (T.IsInfinity(max)) return max;
        T sum = T.Zero;
        for (int i = 0; i < x.Length; i++) sum += T.Exp(x[i] - max);
        return max + T.Log(sum);
    }
}
