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

    /// <summary>
    /// One Adam/AdamW step over a parameter, in one pass (torch.optim.Adam / AdamW):
    /// p ← p·decoupledDecay;  g ← g + l2·p (when step.Coupled);  m ← β₁m + (1−β₁)g;
    /// v ← β₂v + (1−β₂)g²;  p ← p + (−stepSize)·m / (√v / √(1−β₂ᵗ) + ε).
    /// Every element is computed in the same order as the scalar tail loop, so vector and scalar results are identical.
    /// </summary>
    /// <remarks>NOTE: Vector&lt;T&gt; (256-bit here) rather than Vector512: the step is bound by memory traffic over
    /// five arrays, not by arithmetic, and one loop keeps the formula readable.</remarks>
    public static void Adam<T>(Span<T> parameter, ReadOnlySpan<T> gradient, Span<T> firstMoment, Span<T> secondMoment,
        in AdamStep<T> step) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int length = parameter.Length;
        if (gradient.Length < length || firstMoment.Length < length || secondMoment.Length < length)
            throw new ArgumentException("the gradient and the moments must be as long as the parameter");
        int i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            var p = MemoryMarshal.Cast<T, Vector<T>>(parameter);
            var g = MemoryMarshal.Cast<T, Vector<T>>(gradient);
            var m = MemoryMarshal.Cast<T, Vector<T>>(firstMoment);
            var v = MemoryMarshal.Cast<T, Vector<T>>(secondMoment);
            var decay = new Vector<T>(step.DecoupledDecay);
            var l2 = new Vector<T>(step.L2);
            var beta1 = new Vector<T>(step.Beta1);
            var beta2 = new Vector<T>(step.Beta2);
            var oneMinusBeta1 = new Vector<T>(step.OneMinusBeta1);
            var oneMinusBeta2 = new Vector<T>(step.OneMinusBeta2);
            var correction2 = new Vector<T>(step.BiasCorrection2Sqrt);
            var epsilon = new Vector<T>(step.Epsilon);
            var negativeStep = new Vector<T>(-step.StepSize);
            int vectors = length / Vector<T>.Count;
            for (int k = 0; k < vectors; k++)
            {
                var pk = p[k] * decay;
                var gk = step.Coupled ? g[k] + l2 * pk : g[k];
                var mk = m[k] * beta1 + oneMinusBeta1 * gk;
                var vk = v[k] * beta2 + oneMinusBeta2 * gk * gk;
                m[k] = mk;
                v[k] = vk;
                p[k] = pk + negativeStep * (mk / (Vector.SquareRoot(vk) / correction2 + epsilon));
            }
            i = vectors * Vector<T>.Count;
        }
        for (; i < length; i++)
        {
            T pi = parameter[i] * step.DecoupledDecay;
            T gi = step.Coupled ? gradient[i] + step.L2 * pi : gradient[i];
            T mi = firstMoment[i] * step.Beta1 + step.OneMinusBeta1 * gi;
            T vi = secondMoment[i] * step.Beta2 + step.OneMinusBeta2 * gi * gi;
            firstMoment[i] = mi;
            secondMoment[i] = vi;
            parameter[i] = pi + -step.StepSize * (mi / (T.Sqrt(vi) / step.BiasCorrection2Sqrt + step.Epsilon));
        }
    }
}

/// <summary>The scalars of one Adam/AdamW step (see <see cref="OptimizerKernels.Adam{T}"/>).</summary>
public readonly record struct AdamStep<T>(
    T Beta1, T Beta2, T OneMinusBeta1, T OneMinusBeta2, T StepSize, T BiasCorrection2Sqrt, T Epsilon,
    bool Coupled, T L2, T DecoupledDecay) where T : unmanaged, IFloatingPointIeee754<T>;
