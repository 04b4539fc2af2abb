using System.Numerics;
using System.Numerics.Tensors;
using Backprop.Kernels;

namespace Backprop.Optim;

/// <summary>
/// Stochastic gradient descent with optional momentum (dampening 0), Nesterov momentum and L2 weight
/// decay, exactly as torch.optim.SGD:
/// <code>
/// d ← g + λ·p                                  (weight decay λ)
/// b₁ = d,  bₜ = μ·bₜ₋₁ + d                        (momentum μ &gt; 0)
/// d ← d + μ·bₜ  (Nesterov)   or   d ← bₜ         (classical)
/// p ← p − lr·d
/// </code>
/// </summary>
public sealed class Sgd<T> : Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[][] momentumBuffers;
    private readonly T[] scratch; // d when it differs from both g and b, sized for the largest parameter

    /// <summary>Stochastic gradient descent, with optional (Nesterov) momentum and L2 weight decay, as torch.optim.SGD.</summary>
    public Sgd(IEnumerable<Tensor<T>> parameters, double learningRate, double momentum = 0, bool nesterov = false, double weightDecay = 0)
        : base(parameters, learningRate, weightDecay)
    {
        if (!double.IsFinite(momentum) || momentum < 0) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "must be finite and ≥ 0");
        if (nesterov && momentum == 0) throw new ArgumentException("Nesterov momentum needs a momentum > 0", nameof(nesterov));
        Momentum = momentum;
        Nesterov = nesterov;
        momentumBuffers = momentum == 0 ? [] : AllocateBuffers();
        scratch = new T[Parameters.Max(parameter => parameter.Length)];
    }

    /// <summary>The fraction of the previous update carried into the next; 0 for plain SGD.</summary>
    public double Momentum { get; }

    /// <summary>Whether the gradient is taken at the look-ahead point (Nesterov momentum).</summary>
    public bool Nesterov { get; }

    /// <inheritdoc/>
    protected override void Update(int index, long step, Span<T> parameter, ReadOnlySpan<T> gradient)
    {
        if (WeightDecay == 0 && Momentum != 0 && !Nesterov && step > 1)
        {
            // The common case in one pass instead of two (same rounding): bₜ = μ·bₜ₋₁ + g, p ← p − lr·bₜ
            OptimizerKernels.SgdMomentum(parameter, gradient, momentumBuffers[index], Cast(Momentum), Cast(-LearningRate));
            return;
        }
        ReadOnlySpan<T> direction = gradient;
        if (WeightDecay != 0)
        {
            // d = g + λ·p  (into scratch: the gradient itself stays as backward left it)
            var decayed = scratch.AsSpan(0, parameter.Length);
            TensorPrimitives.MultiplyAdd(parameter, Cast(WeightDecay), gradient, decayed);
            direction = decayed;
        }
        if (Momentum != 0)
        {
            var buffer = momentumBuffers[index].AsSpan();
            T momentum = Cast(Momentum);
            if (step == 1) direction.CopyTo(buffer);                             // b₁ = d
            else TensorPrimitives.MultiplyAdd(buffer, momentum, direction, buffer); // bₜ = μ·bₜ₋₁ + d
            if (Nesterov)
            {
                var lookahead = scratch.AsSpan(0, parameter.Length);
                TensorPrimitives.MultiplyAdd(buffer, momentum, direction, lookahead); // d = d + μ·bₜ
                direction = lookahead;
            }
            else direction = buffer;                                                // d = bₜ
        }
        TensorPrimitives.MultiplyAdd(direction, Cast(-LearningRate), parameter, parameter); // p ← p − lr·d
    }

    /// <inheritdoc/>
    protected override IEnumerable<(string Name, T[][] Buffers)> StateBuffers() =>
        Momentum == 0 ? [] : [("momentum_buffer", momentumBuffers)];
}
