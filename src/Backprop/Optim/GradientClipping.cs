using System.Numerics;
using System.Numerics.Tensors;

namespace Backprop.Optim;

/// <summary>Gradient clipping, as torch.nn.utils.clip_grad_norm_.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales every gradient by maxNorm / (‖g‖ + 1e-6) when that is below 1, where ‖g‖ is the 2-norm of
    /// all gradients concatenated. Returns ‖g‖ (before clipping). Parameters without a gradient are skipped.
    /// The norm is summed in float64 where float32 would overflow, so finite gradients are always clipped; a NaN or
    /// infinite gradient gives a NaN or infinite norm, which is returned with nothing scaled: the caller decides that
    /// training diverged.
    /// </summary>
    public static double ClipByGlobalNorm<T>(IReadOnlyList<Tensor<T>> parameters, double maxNorm) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm >= 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "must be ≥ 0");

        // ‖g‖ = √(Σᵢ ‖gᵢ‖²): the norm of the per-tensor norms, as torch stacks them
        double sumOfSquares = 0;
        for (int i = 0; i < parameters.Count; i++)
        {
            if (parameters[i].Grad is not { } grad) continue;
            double norm = double.CreateChecked(TensorPrimitives.Norm<T>(grad.Data));
            sumOfSquares += double.IsFinite(norm) ? norm * norm : SumOfSquaresInDouble(grad.Data);
        }
        double totalNorm = Math.Sqrt(sumOfSquares);

        double scale = maxNorm / (totalNorm + 1e-6); // torch's 1e-6 keeps a zero norm finite
        if (scale < 1)
        {
            for (int i = 0; i < parameters.Count; i++)
                if (parameters[i].Grad is { } grad) TensorPrimitives.Multiply(grad.Data, T.CreateTruncating(scale), grad.Data);
        }
        return totalNorm;
    }

    // NOTE: a float32 norm overflows once its squares pass 3.4e38 (elements from about 1.8e19), and an infinite norm
    // clipped nothing, so finite gradients that clipping exists to tame went into the step whole (torch scales them by 0
    // instead). Summed in float64 the norm is finite for every finite gradient; this slow loop runs only then.
    private static double SumOfSquaresInDouble<T>(ReadOnlySpan<T> values) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double sum = 0;
        foreach (var value in values)
        {
            double x = double.CreateChecked(value);
            sum += x * x;
        }
        return sum;
    }

    /// <inheritdoc cref="ClipByGlobalNorm{T}(IReadOnlyList{Tensor{T}}, double)"/>
    public static double ClipByGlobalNorm<T>(IEnumerable<Tensor<T>> parameters, double maxNorm) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return ClipByGlobalNorm(parameters as IReadOnlyList<Tensor<T>> ?? parameters.ToArray(), maxNorm);
    }
}
