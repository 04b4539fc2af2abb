using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Backprop.Kernels;

/// <summary>
/// The fused pieces of a dense layer's training step, over contiguous row-major buffers. No autograd,
/// no allocation: the training engine calls these with buffers it owns.
/// <see cref="DenseKernelsReference"/> holds the plain loops the vectorised ones are tested against.
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
                Relu(preActivation, activated);
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
                ReluBackward(preActivation, gradient);
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
        // NOTE: three passes over the whole batch rather than five library calls per row: with 10 classes
        // the per-call overhead was most of the cost. Exp runs once, vectorised, over batch × classes values.
        int count = batch * classes;
        var shifted = dLogits.Slice(0, count);
        for (int row = 0; row < batch; row++)
        {
            var x = logits.Slice(row * classes, classes);
            T max = RowMax(x);
            var target = dLogits.Slice(row * classes, classes);
            if (classes >= 32) TensorPrimitives.Subtract(x, max, target);
            else for (int j = 0; j < classes; j++) target[j] = x[j] - max;
        }
        TensorPrimitives.Exp(shifted, shifted);
        T total = T.Zero;
        T inverseBatch = T.One / T.CreateChecked(batch);
        for (int row = 0; row < batch; row++)
        {
            var p = dLogits.Slice(row * classes, classes);
            var x = logits.Slice(row * classes, classes);
            T sum = RowSum(p);
            int label = labels[row];
            total += T.Log(sum) + RowMax(x) - x[label];
            T scale = inverseBatch / sum;
            for (int j = 0; j < p.Length; j++) p[j] *= scale;
            p[label] -= inverseBatch;
        }
        return total;
    }

    // Narrow rows (the usual 10 classes) are cheaper in a plain loop than through a library call.
    private static T RowMax<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Length >= 32) return TensorPrimitives.Max(x);
        T max = x[0];
        for (int j = 1; j < x.Length; j++) max = T.Max(max, x[j]); // NOTE: T.Max propagates NaN, as TensorPrimitives.Max
        return max;
    }

    private static T RowSum<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Length >= 32) return TensorPrimitives.Sum(x);
        T sum = T.Zero;
        for (int j = 0; j < x.Length; j++) sum += x[j];
        return sum;
    }

    /// <summary>Summed loss Σ −log softmax(x)[label] without gradients (evaluation).</summary>
    public static T CrossEntropySum<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, int batch, int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T total = T.Zero;
        for (int row = 0; row < batch; row++)
            total += Reductions.LogSumExp(logits.Slice(row * classes, classes)) - logits[row * classes + labels[row]];
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

    /// <summary>dBias[j] = Σ_rows gradient[row, j], summed in row order.</summary>
    public static void SumRows<T>(ReadOnlySpan<T> gradient, Span<T> dBias, int batch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = dBias.Length;
        gradient.Slice(0, width).CopyTo(dBias);
        ref T sum = ref MemoryMarshal.GetReference(dBias);
        ref T rows = ref MemoryMarshal.GetReference(gradient);
        for (int row = 1; row < batch; row++)
        {
            ref T values = ref Unsafe.Add(ref rows, (nint)row * width);
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
                for (; j + Vector512<T>.Count <= width; j += Vector512<T>.Count)
                    (Vector512.LoadUnsafe(ref sum, (nuint)j) + Vector512.LoadUnsafe(ref values, (nuint)j)).StoreUnsafe(ref sum, (nuint)j);
            for (; j + Vector256<T>.Count <= width; j += Vector256<T>.Count)
                (Vector256.LoadUnsafe(ref sum, (nuint)j) + Vector256.LoadUnsafe(ref values, (nuint)j)).StoreUnsafe(ref sum, (nuint)j);
            for (; j < width; j++) Unsafe.Add(ref sum, j) += Unsafe.Add(ref values, j);
        }
    }

    /// <summary>activated = max(z, 0), elementwise; NaN stays NaN (as torch.relu) and −0 becomes +0.</summary>
    public static void Relu<T>(ReadOnlySpan<T> preActivation, Span<T> activated) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (activated.Length < preActivation.Length) throw new ArgumentException("the output is shorter than the input", nameof(activated));
        ref T z = ref MemoryMarshal.GetReference(preActivation);
        ref T a = ref MemoryMarshal.GetReference(activated);
        int length = preActivation.Length, i = 0;
        // NOTE: z AND NOT (z ≤ 0) keeps z where z > 0 or z is NaN, and gives +0 elsewhere.
        if (Vector512.IsHardwareAccelerated)
            for (; i + Vector512<T>.Count <= length; i += Vector512<T>.Count)
            {
                var x = Vector512.LoadUnsafe(ref z, (nuint)i);
                Vector512.AndNot(x, Vector512.LessThanOrEqual(x, Vector512<T>.Zero)).StoreUnsafe(ref a, (nuint)i);
            }
        for (; i + Vector256<T>.Count <= length; i += Vector256<T>.Count)
        {
            var x = Vector256.LoadUnsafe(ref z, (nuint)i);
            Vector256.AndNot(x, Vector256.LessThanOrEqual(x, Vector256<T>.Zero)).StoreUnsafe(ref a, (nuint)i);
        }
        for (; i < length; i++)
        {
            T x = Unsafe.Add(ref z, i);
            Unsafe.Add(ref a, i) = x <= T.Zero ? T.Zero : x;
        }
    }

    /// <summary>gradient ← 0 where z ≤ 0, else unchanged: ReLU's backward in place. NOTE: derivative 0 at z = 0 and 1 at NaN,
    /// as PyTorch's threshold_backward (a NaN then reaches the weights before it, instead of being hidden by a zero).</summary>
    public static void ReluBackward<T>(ReadOnlySpan<T> preActivation, Span<T> gradient) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (preActivation.Length < gradient.Length) throw new ArgumentException("the input is shorter than the gradient", nameof(preActivation));
        ref T z = ref MemoryMarshal.GetReference(preActivation);
        ref T g = ref MemoryMarshal.GetReference(gradient);
        int length = gradient.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i + Vector512<T>.Count <= length; i += Vector512<T>.Count)
            {
                var blocked = Vector512.LessThanOrEqual(Vector512.LoadUnsafe(ref z, (nuint)i), Vector512<T>.Zero);
                Vector512.AndNot(Vector512.LoadUnsafe(ref g, (nuint)i), blocked).StoreUnsafe(ref g, (nuint)i);
            }
        for (; i + Vector256<T>.Count <= length; i += Vector256<T>.Count)
        {
            var blocked = Vector256.LessThanOrEqual(Vector256.LoadUnsafe(ref z, (nuint)i), Vector256<T>.Zero);
            Vector256.AndNot(Vector256.LoadUnsafe(ref g, (nuint)i), blocked).StoreUnsafe(ref g, (nuint)i);
        }
        for (; i < length; i++)
            if (Unsafe.Add(ref z, i) <= T.Zero) Unsafe.Add(ref g, i) = T.Zero;
    }
}
