using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Backprop;

// Batch normalisation, forward and backward.
public sealed partial class Tensor<T>
{
    /// <summary>
    /// Normalises input [N, C] or [N, C, H, W] per channel C: y = (x − mean) / √(var + eps) · weight + bias.
    /// In training the mean and (biased) variance are the batch's, and the running statistics move towards them
    /// in place as PyTorch's do: running = (1 − momentum)·running + momentum·batch, with the unbiased variance.
    /// In inference the running statistics are used and left alone.
    /// </summary>
    public static Tensor<T> BatchNorm(Tensor<T> input, Tensor<T> weight, Tensor<T> bias, T[] runningMean, T[] runningVar,
        bool training, double momentum = 0.1, double eps = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(bias);
        ArgumentNullException.ThrowIfNull(runningMean);
        ArgumentNullException.ThrowIfNull(runningVar);
        if (input.Rank is not (2 or 4)) throw new ArgumentException($"batch norm input must be [N, C] or [N, C, H, W], got {ShapeMath.Format(input.shape)}");
        int batch = input.shape[0], channels = input.shape[1], spatial = input.Rank == 4 ? input.shape[2] * input.shape[3] : 1;
        foreach (var (name, length) in new[] { ("weight", weight.Length), ("bias", bias.Length), ("running mean", runningMean.Length), ("running variance", runningVar.Length) })
            if (length != channels)
                throw new ArgumentException($"batch norm {name} is [{length}], the input {ShapeMath.Format(input.shape)} has {channels} channels");
        long count = (long)batch * spatial;
        if (training && count < 2) throw new ArgumentException($"batch norm in training needs more than one value per channel, got input {ShapeMath.Format(input.shape)}");
        if (input.Rank == 2) return BatchNormRows(input, weight, bias, runningMean, runningVar, training, momentum, eps);

        var x = input.Data;
        var output = Tensor.Uninitialized<T>(input.shape);
        var y = output.Data;
        bool record = ShouldRecord(input, weight, bias);
        // x̂, kept for backward; without one, the output's own storage serves as scratch.
        var normalised = record ? Tensor.Uninitialized<T>(input.shape) : output;
        var xHat = normalised.Data;
        var inverseDeviation = new T[channels];
        // NOTE: every loop runs over one contiguous [H·W] plane of a channel at a time, through vector primitives:
        // element by element with a double conversion each, batch norm took longer than the convolution before it.
        for (int c = 0; c < channels; c++)
        {
            double mean, variance;
            if (training)
            {
                // Two passes, the planes' sums added in double: a one-pass sum of squares loses the variance on
                // offset data. The deviations land in x̂'s storage, where the normalisation below scales them.
                double sum = 0;
                for (int b = 0; b < batch; b++)
                    sum += double.CreateChecked(PlaneSum(x.Slice((b * channels + c) * spatial, spatial)));
                mean = sum / count;
                double squares = 0;
                T m0 = T.CreateChecked(mean);
                for (int b = 0; b < batch; b++)
                    squares += double.CreateChecked(Deviations(x.Slice((b * channels + c) * spatial, spatial), m0,
                        xHat.Slice((b * channels + c) * spatial, spatial)));
                variance = squares / count;
                UpdateRunningStatistics(runningMean, runningVar, c, mean, squares, count, momentum);
            }
            else
            {
                mean = double.CreateChecked(runningMean[c]);
                variance = double.CreateChecked(runningVar[c]);
            }
            T m = T.CreateChecked(mean), inverse = InverseDeviation(variance, eps);
            inverseDeviation[c] = inverse;
            T scale = weight.Data[c], shift = bias.Data[c];
            for (int b = 0; b < batch; b++)
            {
                int start = (b * channels + c) * spatial;
                // In training the plane holds x − mean already (the same float mean).
                Normalise(x.Slice(start, spatial), training ? null : m, inverse, scale, shift, xHat.Slice(start, spatial), y.Slice(start, spatial));
            }
        }
        if (!record) return output;
        return output.Recorded("batchnorm", [input, weight, bias], grad =>
        {
            var dy = grad.Data;
            var xHat = normalised.Data;
            T n = T.CreateChecked(count);
            // NOTE: every element of dx is written below, so when no gradient has reached the input yet, a fresh
            // array becomes its Grad rather than a zeroed one being added into (one pass fewer over the maps).
            var fresh = input.RequiresGrad && input.Grad is null ? Tensor.Uninitialized<T>(input.shape) : null;
            for (int c = 0; c < channels; c++)
            {
                T sumDy = T.Zero, sumDyXhat = T.Zero;
                for (int b = 0; b < batch; b++)
                {
                    int start = (b * channels + c) * spatial;
                    sumDy += PlaneSum(dy.Slice(start, spatial));
                    sumDyXhat += PlaneDot(dy.Slice(start, spatial), xHat.Slice(start, spatial));
                }
                if (weight.RequiresGrad) weight.GradBuffer()[c] += sumDyXhat;
                if (bias.RequiresGrad) bias.GradBuffer()[c] += sumDy;
                if (!input.RequiresGrad) continue;
                var dx = fresh is null ? input.GradBuffer() : fresh.Data;
                T factor = weight.Data[c] * inverseDeviation[c];
                // In training the gradient also flows through the batch statistics: dx = γ/σ · (dy − mean(dy) − x̂·mean(dy·x̂)).
                T meanDy = training ? sumDy / n : T.Zero, meanDyXhat = training ? sumDyXhat / n : T.Zero;
                for (int b = 0; b < batch; b++)
                {
                    int start = (b * channels + c) * spatial;
                    InputGradient(dx.Slice(start, spatial), dy.Slice(start, spatial), xHat.Slice(start, spatial), factor, meanDy, meanDyXhat,
                        accumulate: fresh is null);
                }
            }
            if (fresh is not null) input.Grad = fresh;
        });
    }

    // PyTorch's running statistics: running = (1 − momentum)·running + momentum·batch, with the unbiased variance
    // (the sum of squared deviations over count − 1).
    private static void UpdateRunningStatistics(T[] runningMean, T[] runningVar, int channel, double mean, double squares,
        long count, double momentum)
    {
        runningMean[channel] = T.CreateChecked((1 - momentum) * double.CreateChecked(runningMean[channel]) + momentum * mean);
        runningVar[channel] = T.CreateChecked((1 - momentum) * double.CreateChecked(runningVar[channel]) + momentum * squares / (count - 1));
    }

    private static T InverseDeviation(double variance, double eps) => T.CreateChecked(1 / Math.Sqrt(variance + eps));

    // NOTE: on tiny feature maps (a few pixels), a library call per plane costs more than the arithmetic; planes
    // shorter than this run as plain loops. ([N, C] input, one value per plane, has its own row-wise path.)
    private const int VectorPlane = 16;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static T PlaneSum(ReadOnlySpan<T> plane)
    {
        if (plane.Length >= VectorPlane) return TensorPrimitives.Sum<T>(plane);
        T sum = T.Zero;
        foreach (T value in plane) sum += value;
        return sum;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static T PlaneDot(ReadOnlySpan<T> x, ReadOnlySpan<T> y)
    {
        if (x.Length >= VectorPlane) return TensorPrimitives.Dot<T>(x, y);
        T sum = T.Zero;
        for (int i = 0; i < x.Length; i++) sum += x[i] * y[i];
        return sum;
    }

    // deviation = x − mean; returns Σ deviation².
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static T Deviations(ReadOnlySpan<T> x, T mean, Span<T> deviation)
    {
        if (x.Length >= VectorPlane)
        {
            TensorPrimitives.Subtract<T>(x, mean, deviation);
            return TensorPrimitives.SumOfSquares<T>(deviation);
        }
        T squares = T.Zero;
        for (int i = 0; i < x.Length; i++)
        {
            deviation[i] = x[i] - mean;
            squares += deviation[i] * deviation[i];
        }
        return squares;
    }

    // x̂ = (x − mean)·inverse, or x̂·inverse when x̂ holds x − mean already (mean null); y = x̂·γ + β.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void Normalise(ReadOnlySpan<T> x, T? mean, T inverse, T scale, T shift, Span<T> xHat, Span<T> y)
    {
        if (x.Length >= VectorPlane)
        {
            if (mean is { } m) TensorPrimitives.Subtract<T>(x, m, xHat);
            TensorPrimitives.Multiply<T>(xHat, inverse, xHat);
            TensorPrimitives.Multiply<T>(xHat, scale, y);
            TensorPrimitives.Add<T>(y, shift, y);
            return;
        }
        for (int i = 0; i < x.Length; i++)
        {
            xHat[i] = ((mean is { } m ? x[i] - m : xHat[i])) * inverse;
            y[i] = xHat[i] * scale + shift;
        }
    }

    // dx (+)= factor · (dy − meanDy − x̂·meanDyXhat) over one plane: the same operations, in the same order, as the
    // scalar formula, so each element gets the same bits, eight or sixteen at a time.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void InputGradient(Span<T> dx, ReadOnlySpan<T> dy, ReadOnlySpan<T> xHat, T factor, T meanDy, T meanDyXhat,
        bool accumulate)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated && dx.Length >= VectorPlane)
        {
            var f = Vector256.Create(factor);
            var md = Vector256.Create(meanDy);
            var mx = Vector256.Create(meanDyXhat);
            for (; i + Vector256<T>.Count <= dx.Length; i += Vector256<T>.Count)
            {
                var share = f * (Vector256.Create<T>(dy.Slice(i)) - md - Vector256.Create<T>(xHat.Slice(i)) * mx);
                (accumulate ? Vector256.Create<T>(dx.Slice(i)) + share : share).CopyTo(dx.Slice(i));
            }
        }
        for (; i < dx.Length; i++)
        {
            T share = factor * (dy[i] - meanDy - xHat[i] * meanDyXhat);
            dx[i] = accumulate ? dx[i] + share : share;
        }
    }
}
