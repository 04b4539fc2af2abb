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

    public Adam(IEnumerable<Tensor<T>> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double epsilon = 1e-8, double weightDecay = 0)
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
        T epsilon = Cast(Epsilon), weightDecay = Cast(WeightDecay);
        var scalars = new AdamStep<T>(beta1, beta2, oneMinusBeta1, oneMinusBeta2, stepSize, biasCorrection2Sqrt, epsilon,
            Coupled: WeightDecay != 0, L2: weightDecay, DecoupledDecay: T.One);
        // g ← g + λ·p;  m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  p ← p − lr·m̂/(√v̂ + ε)
        OptimizerKernels.Adam(parameter, gradient, firstMoments[index], secondMoments[index], scalars);
    }

    protected override IEnumerable<(string Name, T[][] Buffers)> StateBuffers() =>
        [("exp_avg", firstMoments), ("exp_avg_sq", secondMoments)];
}
