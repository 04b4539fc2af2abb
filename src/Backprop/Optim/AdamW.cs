using System.Numerics;
using Backprop.Kernels;

namespace Backprop.Optim;

/// <summary>
/// AdamW (Loshchilov &amp; Hutter 2019): Adam with weight decay decoupled from the gradient, exactly as
/// torch.optim.AdamW:
/// <code>
/// p ← p·(1 − lr·λ)                              (decoupled weight decay λ, default 0.01)
/// m ← β₁·m + (1 − β₁)·g
/// v ← β₂·v + (1 − β₂)·g²
/// p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
/// </code>
/// </summary>
public sealed class AdamW<T> : Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[][] firstMoments;  // m, torch's exp_avg
    private readonly T[][] secondMoments; // v, torch's exp_avg_sq

    public AdamW(IEnumerable<Tensor<T>> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double epsilon = 1e-8, double weightDecay = 1e-2)
        : base(parameters, learningRate, weightDecay)
    {
        (Beta1, Beta2, Epsilon) = AdamHyperparameters.Validate(beta1, beta2, epsilon);
        firstMoments = AllocateBuffers();
        secondMoments = AllocateBuffers();
    }

    public double Beta1 { get; }

    public double Beta2 { get; }

    public double Epsilon { get; }

    protected override void Update(int index, long step, Span<T> parameter, ReadOnlySpan<T> gradient)
    {
        // NOTE: the bias corrections are computed in double, as torch does with Python floats.
        double biasCorrection1 = 1 - Math.Pow(Beta1, step), biasCorrection2 = 1 - Math.Pow(Beta2, step);
        T stepSize = Cast(LearningRate / biasCorrection1), biasCorrection2Sqrt = Cast(Math.Sqrt(biasCorrection2));
        T beta1 = Cast(Beta1), beta2 = Cast(Beta2), oneMinusBeta1 = Cast(1 - Beta1), oneMinusBeta2 = Cast(1 - Beta2);
        T epsilon = Cast(Epsilon), decay = Cast(1 - LearningRate * WeightDecay);
        var scalars = new AdamStep<T>(beta1, beta2, oneMinusBeta1, oneMinusBeta2, stepSize, biasCorrection2Sqrt, epsilon,
            Coupled: false, L2: T.Zero, DecoupledDecay: decay);
        // p ← p·(1 − lr·λ);  m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  p ← p − lr·m̂/(√v̂ + ε)
        OptimizerKernels.Adam(parameter, gradient, firstMoments[index], secondMoments[index], scalars);
    }

    protected override IEnumerable<(string Name, T[][] Buffers)> StateBuffers() =>
        [("exp_avg", firstMoments), ("exp_avg_sq", secondMoments)];
}

/// <summary>The checks Adam and AdamW share (torch's: 0 ≤ β &lt; 1, ε ≥ 0).</summary>
internal static class AdamHyperparameters
{
    public static (double Beta1, double Beta2, double Epsilon) Validate(double beta1, double beta2, double epsilon)
    {
        if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "must lie in [0, 1)");
        if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "must lie in [0, 1)");
        if (!double.IsFinite(epsilon) || epsilon < 0) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "must be finite and ≥ 0");
        return (beta1, beta2, epsilon);
    }
}
