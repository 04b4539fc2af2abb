using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Backprop.Kernels;

/// <summary>Optimizer updates fused into one pass over the parameter, its gradient and its state.</summary>
public static class OptimizerKernels
{
    /// <summary>
    /// Classical momentum without weight decay, in one pass: b ← μ·b + g, then p ← p + (−lr)·b.
    /// Rounds exactly as the two separate passes would (multiply, then add; no fused multiply-add).
    /// </summary>
    public static void SgdMomentum<T>(Span<T> parameter, ReadOnlySpan<T> gradient, Span<T> buffer, T momentum, T negativeLearningRate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int length = parameter.Length;
        if (gradient.Length < length || buffer.Length < length) throw new ArgumentException("the gradient and the buffer must be as long as the parameter");
        ref T p = ref MemoryMarshal.GetReference(parameter);
        ref T g = ref MemoryMarshal.GetReference(gradient);
        ref T b = ref MemoryMarshal.GetReference(buffer);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var mu = Vector512.Create(momentum);
            var rate = Vector512.Create(negativeLearningRate);
            for (; i + Vector512<T>.Count <= length; i += Vector512<T>.Count)
            {
                var velocity = Vector512.LoadUnsafe(ref b, (nuint)i) * mu + Vector512.LoadUnsafe(ref g, (nuint)i);
                velocity.StoreUnsafe(ref b, (nuint)i);
                (velocity * rate + Vector512.LoadUnsafe(ref p, (nuint)i)).StoreUnsafe(ref p, (nuint)i);
            }
        }
        {
            var mu = Vector256.Create(momentum);
            var rate = Vector256.Create(negativeLearningRate);
            for (; i + Vector256<T>.Count <= length; i += Vector256<T>.Count)
            {
                var velocity = Vector256.LoadUnsafe(ref b, (nuint)i) * mu + Vector256.LoadUnsafe(ref g, (nuint)i);
                velocity.StoreUnsafe(ref b, (nuint)i);
                (velocity * rate + Vector256.LoadUnsafe(ref p, (nuint)i)).StoreUnsafe(ref p, (nuint)i);
            }
        }
        for (; i < length; i++)
        {
            T velocity = Unsafe.Add(ref b, i) * momentum + Unsafe.Add(ref g, i);
            Unsafe.Add(ref b, i) = velocity;
            Unsafe.Add(ref p, i) = velocity * negativeLearningRate + Unsafe.Add(ref p, i);
        }
    }
}
