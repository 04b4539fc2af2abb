using System.Numerics;
using System.Numerics.Tensors;

namespace Backprop.Kernels;

/// <summary>
/// The fused pieces of a dense layer's training step, over contiguous row-major buffers. No autograd,
/// no allocation: the <see cref="Training.DenseNetworkEngine{T}"/> calls these with buffers it owns.
/// </summary>
public static class DenseKernels
{
    /// <summary>output (batch, width) = bias broadcast over rows: the starting value the GEMM accumulates onto.</summary>
    public static void BroadcastRows<T>(ReadOnlySpan<T> bias, Span<T> output, int batch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = bias.Length;
        for (int row = 0; row < batch; row++) bias.CopyTo(output.Slice(row * width, width));
    }

    /// <summary>activated = f(preActivation), elementwise.</summary>
    public static void Activate<T>(Activation activation, ReadOnlySpan<T> preActivation, Span<T> activated) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (activation)
        {
            case Activation.Identity:
                preActivation.CopyTo(activated);
                break;
            case Activation.Relu:
                TensorPrimitives.Max(preActivation, T.Zero, activated);
                break;
            case Activation.Tanh:
                TensorPrimitives.Tanh(preActivation, activated);
                break;
            case Activation.Sigmoid:
                // NOTE: TensorPrimitives.Sigmoid is 1/(1+e^−x): e^−x overflows to ∞ for x ≪ 0, giving 1/∞ = 0,
                // which is the right limit, so it never produces NaN.
                TensorPrimitives.Sigmoid(preActivation, activated);
                break;
            default:
                for (int i = 0; i < preActivation.Length; i++) activated[i] = T.CreateTruncating(Scalar(activation, double.CreateTruncating(preActivation[i])));
                break;
        }
    }

    /// <summary>gradient ← gradient ⊙ f'(z), turning ∂loss/∂a into ∂loss/∂z in place.</summary>
    public static void ActivationBackward<T>(Activation activation, ReadOnlySpan<T> preActivation, ReadOnlySpan<T> activated, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (activation)
        {
            case Activation.Identity:
                return;
            case Activation.Relu:
                // NOTE: derivative 0 at z = 0, as in PyTorch.
                for (int i = 0; i < gradient.Length; i++) if (!(preActivation[i] > T.Zero)) gradient[i] = T.Zero;
                return;
            case Activation.Sigmoid:
                for (int i = 0; i < gradient.Length; i++) gradient[i] *= activated[i] * (T.One - activated[i]);
                return;
            case Activation.Tanh:
                for (int i = 0; i < gradient.Length; i++) gradient[i] *= T.One - activated[i] * activated[i];
                return;
            case Activation.LeakyRelu:
                T slope = T.CreateTruncating(ActivationFunctions.LeakySlope);
                for (int i = 0; i < gradient.Length; i++) if (!(preActivation[i] > T.Zero)) gradient[i] *= slope;
                return;
            case Activation.Softplus:
                for (int i = 0; i < gradient.Length; i++) gradient[i] *= T.CreateTruncating(ActivationFunctions.Sigmoid(double.CreateTruncating(preActivation[i])));
                return;
            case Activation.Gelu:
                for (int i = 0; i < gradient.Length; i++) gradient[i] *= T.CreateTruncating(ActivationFunctions.GeluDerivative(double.CreateTruncating(preActivation[i])));
                return;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation));
        }
    }

    private static double Scalar(Activation activation, double x) => activation switch
    {
        Activation.LeakyRelu => x > 0 ? x : x * ActivationFunctions.LeakySlope,
        Activation.Softplus => ActivationFunctions.Softplus(x),
        Activation.Gelu => ActivationFunctions.Gelu(x),
        Activation.Sigmoid => ActivationFunctions.Sigmoid(x),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };

    /// <summary>
    /// Softmax cross-entropy forward and backward in one pass over logits (batch, classes): returns the summed
    /// loss Σ −log softmax(x)[label] and writes ∂(mean loss)/∂logits = (softmax − one-hot)/batch into dLogits.
    /// </summary>
    public static T SoftmaxCrossEntropy<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, Span<T> dLogits, int batch, int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T total = T.Zero;
        T inverseBatch = T.One / T.CreateChecked(batch);
        for (int row = 0; row < batch; row++)
        {
            var x = logits.Slice(row * classes, classes);
            var p = dLogits.Slice(row * classes, classes);
            T max = TensorPrimitives.Max(x);
            TensorPrimitives.Subtract(x, max, p);
            TensorPrimitives.Exp(p, p);
            T sum = TensorPrimitives.Sum<T>(p);
            int label = labels[row];
            total += T.Log(sum) + max - x[label];
            TensorPrimitives.Multiply(p, inverseBatch / sum, p);
            p[label] -= inverseBatch;
        }
        return total;
    }

    /// <summary>Summed loss Σ −log softmax(x)[label] without gradients (evaluation).</summary>
    public static T CrossEntropySum<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, int batch, int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T total = T.Zero;
        for (int row = 0; row < batch; row++)
            total += Tensor<T>.LogSumExp(logits.Slice(row * classes, classes)) - logits[row * classes + labels[row]];
        return total;
    }

    /// <summary>Mean squared error: returns Σ (y − t)² and writes ∂(mean)/∂y = 2(y − t)/count into dOutput.</summary>
    public static T SquaredErrorWithGradient<T>(ReadOnlySpan<T> output, ReadOnlySpan<T> targets, Span<T> dOutput)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Subtract(output, targets, dOutput);
        T total = TensorPrimitives.SumOfSquares<T>(dOutput);
        TensorPrimitives.Multiply(dOutput, T.CreateChecked(2) / T.CreateChecked(output.Length), dOutput);
        return total;
    }

    /// <summary>dBias[j] = Σ_rows gradient[row, j].</summary>
    public static void SumRows<T>(ReadOnlySpan<T> gradient, Span<T> dBias, int batch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = dBias.Length;
        gradient.Slice(0, width).CopyTo(dBias);
        for (int row = 1; row < batch; row++) TensorPrimitives.Add(dBias, gradient.Slice(row * width, width), dBias);
    }
}
