using System.Numerics;

namespace Backprop.Kernels;

/// <summary>The plain loops that the vectorised <see cref="DenseKernels"/> are tested against. Same contracts, no tricks.</summary>
public static class DenseKernelsReference
{
    /// <summary>The plain ReLU that the vectorized kernel is tested against.</summary>
    public static void Relu<T>(ReadOnlySpan<T> preActivation, Span<T> activated) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < preActivation.Length; i++)
            activated[i] = T.IsNaN(preActivation[i]) || preActivation[i] > T.Zero ? preActivation[i] : T.Zero;
    }

    /// <summary>The plain ReLU backward (gradient zeroed where z ≤ 0) that the vectorized kernel is tested against.</summary>
    public static void ReluBackward<T>(ReadOnlySpan<T> preActivation, Span<T> gradient) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < gradient.Length; i++)
            if (preActivation[i] <= T.Zero) gradient[i] = T.Zero;
    }

    /// <summary>The plain bias gradient (column sums of a [batch, width] gradient) that the vectorized kernel is tested against.</summary>
    public static void SumRows<T>(ReadOnlySpan<T> gradient, Span<T> dBias, int batch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = dBias.Length;
        for (int j = 0; j < width; j++)
        {
            T sum = gradient[j];
            for (int row = 1; row < batch; row++) sum += gradient[row * width + j];
            dBias[j] = sum;
        }
    }

    /// <summary>Σ −log softmax(x)[label], and (softmax − one-hot)/batch into dLogits, one row at a time in float64.</summary>
    public static double SoftmaxCrossEntropy<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, Span<T> dLogits, int batch, int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double total = 0;
        for (int row = 0; row < batch; row++)
        {
            double max = double.NegativeInfinity;
            for (int j = 0; j < classes; j++) max = Math.Max(max, double.CreateTruncating(logits[row * classes + j]));
            double sum = 0;
            for (int j = 0; j < classes; j++) sum += Math.Exp(double.CreateTruncating(logits[row * classes + j]) - max);
            int label = labels[row];
            total += Math.Log(sum) + max - double.CreateTruncating(logits[row * classes + label]);
            for (int j = 0; j < classes; j++)
            {
                double p = Math.Exp(double.CreateTruncating(logits[row * classes + j]) - max) / sum;
                dLogits[row * classes + j] = T.CreateTruncating((p - (j == label ? 1 : 0)) / batch);
            }
        }
        return total;
    }
}
