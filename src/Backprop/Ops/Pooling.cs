using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Backprop;

// 2-D max and average pooling over [N, C, H, W], no padding, windows `stride` apart (floor mode, as PyTorch).
public sealed partial class Tensor<T>
{
    /// <summary>The largest value of each window. Backward sends each output's gradient to the first maximum of
    /// its window in row-major order, as PyTorch does.</summary>
    public Tensor<T> MaxPool2d(int kernel, int stride)
    {
        var (batch, channels, height, width, outHeight, outWidth) = PoolingShape(kernel, stride, "maxpool2d");
        var output = Tensor.Uninitialized<T>(batch, channels, outHeight, outWidth);
        bool record = ShouldRecord(this);
        // The input index each output came from, kept only for a backward pass (and handed back after it).
        var argmax = record ? ArrayPool<int>.Shared.Rent(output.Length) : [];
        // NOTE: every index below stays inside the input (PoolingShape checked the window fits), so the reads go
        // through a reference without bounds checks: a 2×2 window is only four loads and three comparisons.
        ref T x = ref MemoryMarshal.GetReference(Data);
        var y = output.Data;
        int o = 0;
        for (int plane = 0; plane < batch * channels; plane++)
        {
            int planeStart = plane * height * width;
            for (int oh = 0; oh < outHeight; oh++)
            for (int ow = 0; ow < outWidth; ow++, o++)
            {
                int corner = planeStart + oh * stride * width + ow * stride, best = corner;
                if (kernel == 2)
                {
                    // NOTE: the usual 2×2 window unrolled, in the same row-major order as the general loop.
                    best = Larger(ref x, best, corner + 1);
                    best = Larger(ref x, best, corner + width);
                    best = Larger(ref x, best, corner + width + 1);
                }
                else
                {
                    for (int i = 0; i < kernel; i++)
                    for (int j = 0; j < kernel; j++)
                        best = Larger(ref x, best, corner + i * width + j);
                }
                if (record) argmax[o] = best;
                y[o] = Unsafe.Add(ref x, best);
            }
        }
        if (!record) return output;
        var input = this;
        int count = output.Length;
        return output.Recorded("maxpool2d", [input], grad =>
        {
            var dOutput = grad.Data;
            var dInput = input.GradBuffer();
            for (int i = 0; i < count; i++) dInput[argmax[i]] += dOutput[i];
            ArrayPool<int>.Shared.Return(argmax);
        });
    }

    // The index of the larger value, the earlier one on ties. NOTE: NaN wins, so pooling does not hide a NaN.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Larger(ref T x, int best, int candidate)
    {
        T value = Unsafe.Add(ref x, candidate), current = Unsafe.Add(ref x, best);
        return value > current || (T.IsNaN(value) && !T.IsNaN(current)) ? candidate : best;
    }

    /// <summary>The mean of each window; backward spreads each output's gradient evenly over its window.</summary>
    public Tensor<T> AvgPool2d(int kernel, int stride)
    {
        var (batch, channels, height, width, outHeight, outWidth) = PoolingShape(kernel, stride, "avgpool2d");
        var output = Tensor.Uninitialized<T>(batch, channels, outHeight, outWidth);
        T area = T.CreateChecked(kernel * kernel);
        var x = Data;
        var y = output.Data;
        int o = 0;
        for (int plane = 0; plane < batch * channels; plane++)
        {
            int planeStart = plane * height * width;
            for (int oh = 0; oh < outHeight; oh++)
            for (int ow = 0; ow < outWidth; ow++, o++)
            {
                T sum = T.Zero;
                for (int i = 0; i < kernel; i++)
                for (int j = 0; j < kernel; j++)
                    sum += x[planeStart + (oh * stride + i) * width + ow * stride + j];
                y[o] = sum / area;
            }
        }
        if (!ShouldRecord(this)) return output;
        var input = this;
        return output.Recorded("avgpool2d", [input], grad =>
        {
            var dOutput = grad.Data;
            var dInput = input.GradBuffer();
            int index = 0;
            for (int plane = 0; plane < batch * channels; plane++)
            {
                int planeStart = plane * height * width;
                for (int oh = 0; oh < outHeight; oh++)
                for (int ow = 0; ow < outWidth; ow++, index++)
                {
                    T share = dOutput[index] / area;
                    for (int i = 0; i < kernel; i++)
                    for (int j = 0; j < kernel; j++)
                        dInput[planeStart + (oh * stride + i) * width + ow * stride + j] += share;
                }
            }
        });
    }

    private (int Batch, int Channels, int Height, int Width, int OutHeight, int OutWidth) PoolingShape(int kernel, int stride, string name)
    {
        if (Rank != 4) throw new ArgumentException($"{name} input must be [N, C, H, W], got {ShapeMath.Format(shape)}");
        if (kernel <= 0 || stride <= 0)
            throw new ArgumentException($"{name} of input {ShapeMath.Format(shape)} needs kernel > 0 and stride > 0, got kernel {kernel}, stride {stride}");
        int height = shape[2], width = shape[3];
        if (kernel > height || kernel > width)
            throw new ArgumentException($"{name} kernel {kernel} is larger than the input {ShapeMath.Format(shape)}");
        return (shape[0], shape[1], height, width, (height - kernel) / stride + 1, (width - kernel) / stride + 1);
    }
}
