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

    /// <summary>AdamW over <paramref name="parameters"/> with PyTorch's defaults, weight decay included.</summary>
    public AdamW(IEnumerable<Tensor<T>> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double epsilon = 1e-8, double weightDecay = 1e-2)
        : base(parameters, learningRate, weightDecay)
    {
        (Beta1, Beta2, Epsilon) = AdamHyperparameters.Validate(beta1, beta2, epsilon);
        firstMoments = AllocateBuffers();
        secondMoments = AllocateBuffers();
    }

    /// <summary>Decay of the running mean of gradients.</summary>
    public double Beta1 { get; }

    /// <summary>Decay of the running mean of squared gradients.</summary>
    public double Beta2 { get; }

    /// <summary>Added to the root of the second moment, against division by zero.</summary>
    public double Epsilon { get; }

    /// <inheritdoc/>
    protected override void Update(int index, long step, Span<T> parameter, ReadOnlySpan<T> gradient) =>
        // p ← p·(1 − lr·λ);  m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  p ← p − lr·m̂/(√v̂ + ε)
        OptimizerKernels.Adam(parameter, gradient, firstMoments[index], secondMoments[index],
            AdamHyperparameters.Scalars<T>(step, LearningRate, Beta1, Beta2, Epsilon, l2: 0, decoupledDecay: 1 - LearningRate * WeightDecay));

    /// <inheritdoc/>
    protected override IEnumerable<(string Name, T[][] Buffers)> StateBuffers() =>
        [("exp_avg", firstMoments), ("exp_avg_sq", secondMoments)];
}

/// <summary>What Adam and AdamW share: the hyperparameter checks (torch's: 0 ≤ β &lt; 1, ε ≥ 0) and the step scalars.</summary>
internal static class AdamHyperparameters
{
    public static (double Beta1, double Beta2, double Epsilon) Validate(double beta1, double beta2, double epsilon)
    {
        if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "must lie in [0, 1)");
        if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "must lie in [0, 1)");
        if (!double.IsFinite(epsilon) || epsilon < 0) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "must be finite and ≥ 0");
        return (beta1, beta2, epsilon);
    }

    /// <summary>The scalars of step <paramref name="step"/> (1-based) for the fused kernel. NOTE: the bias corrections
    /// are computed in double, as torch does with Python floats.</summary>
    /// <param name="l2">Adam's weight decay, added to the gradient (0 for none).</param>
    /// <param name="decoupledDecay">AdamW's factor 1 − lr·λ applied to the parameter (1 for none).</param>
    public static AdamStep<T> Scalars<T>(long step, double learningRate, double beta1, double beta2, double epsilon,
        double l2, double decoupledDecay) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double biasCorrection1 = 1 - Math.Pow(beta1, step), biasCorrection2 = 1 - Math.Pow(beta2, step);
        static T Cast(double value) => T.CreateTruncating(value);
        return new AdamStep<T>(Cast(beta1), Cast(beta2), Cast(1 - beta1), Cast(1 - beta2),
            StepSize: Cast(learningRate / biasCorrection1), BiasCorrection2Sqrt: Cast(Math.Sqrt(biasCorrection2)),
            Epsilon: Cast(epsilon), Coupled: l2 != 0, L2: Cast(l2), DecoupledDecay: Cast(decoupledDecay));
    }
}
