using System.Numerics;
using Backprop.Kernels;

namespace Backprop.Optim;

/// <summary>
/// Adam (Kingma &amp; Ba 2015) with L2 weight decay added to the gradient, exactly as torch.optim.Adam:
/// <code>
/// g ← g + λ·p                                   (weight decay λ, coupled)
/// m ← β₁·m + (1 − β₁)·g
/// v ← β₂·v + (1 − β₂)·g²
/// p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
/// </code>
/// </summary>
public sealed class Adam<T> : Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[][] firstMoments;  // m, torch's exp_avg
    private readonly T[][] secondMoments; // v, torch's exp_avg_sq

    /// <summary>Adam over <paramref name="parameters"/> with PyTorch's defaults; a weight decay here is L2 added to the gradient (see AdamW for decoupled decay).</summary>
    public Adam(IEnumerable<Tensor<T>> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double epsilon = 1e-8, double weightDecay = 0)
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
        // g ← g + λ·p;  m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  p ← p − lr·m̂/(√v̂ + ε)
        OptimizerKernels.Adam(parameter, gradient, firstMoments[index], secondMoments[index],
            AdamHyperparameters.Scalars<T>(step, LearningRate, Beta1, Beta2, Epsilon, l2: WeightDecay, decoupledDecay: 1));

    /// <inheritdoc/>
    protected override IEnumerable<(string Name, T[][] Buffers)> StateBuffers() =>
        [("exp_avg", firstMoments), ("exp_avg_sq", secondMoments)];
}
