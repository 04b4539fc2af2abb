using System.Numerics;
using Backprop.Kernels;

namespace Backprop;

// 2-D max and average pooling over [N, C, H, W], no padding, windows `stride` apart (floor mode, as PyTorch).
public sealed partial class Tensor<T>
{
    /// <summary>The largest value of each window. Backward sends each output's gradient to the first maximum of
    /// its window in row-major order (to its last NaN, if it holds any), as PyTorch does.</summary>
    public Tensor<T> MaxPool2d(int kernel, int stride)
    {
        var (batch, channels, height, width, outHeight, outWidth) = PoolingShape(kernel, stride, "maxpool2d");
        var output = Tensor.Uninitialized<T>(batch, channels, outHeight, outWidth);
        bool record = ShouldRecord(this);
        // The input index each output came from, kept only for a backward pass.
        // NOTE: it lives as long as the graph, not until the first backward: a second backward through this node (two
        // losses on one trunk) reads it again. It was once handed back to ArrayPool after the first, and the second then
        // handed it back twice, so that two later max-pools shared one array and got each other's gradients.
        var argmax = record ? TensorArena.RentIndices(output.Length) : [];
        int count = output.Length;
        PoolingKernels.MaxForward<T>(Data, output.Data, argmax.AsSpan(0, record ? count : 0), batch * channels, height, width, kernel, stride);
        if (!record) return output;
        var input = this;
        return output.Recorded("maxpool2d", [input], grad =>
        {
            // NOTE: the first gradient to reach the input is written into a new Grad outright (see MaxBackward).
            bool first = input.Grad is null;
            var dInput = first ? Tensor.Uninitialized<T>(input.shape) : input.Grad!;
            PoolingKernels.MaxBackward<T>(grad.Data, argmax.AsSpan(0, count), dInput.Data, accumulate: !first, batch * channels,
                height * width, outHeight * outWidth);
            input.Grad = dInput;
        });
    }

    /// <summary>The mean of each window; backward spreads each output's gradient evenly over its window.</summary>
    public Tensor<T> AvgPool2d(int kernel, int stride)
    {
        var (batch, channels, height, width, outHeight, outWidth) = PoolingShape(kernel, stride, "avgpool2d");
        var output = Tensor.Uninitialized<T>(batch, channels, outHeight, outWidth);
        PoolingKernels.AverageForward<T>(Data, output.Data, batch * channels, height, width, kernel, stride);
        if (!ShouldRecord(this)) return output;
        var input = this;
        return output.Recorded("avgpool2d", [input], grad =>
            PoolingKernels.AverageBackward<T>(grad.Data, input.GradBuffer(), batch * channels, height, width, kernel, stride));
    }

    private (int Batch, int Channels, int Height, int Width, int OutHeight, int OutWidth) PoolingShape(int kernel, int stride, string name)
    {
        if (Rank != 4) throw new ArgumentException($"{name} input must be [N, C, H, W], got {ShapeMath.Format(shape)}");
        if (kernel <= 0 || stride <= 0)
            throw new ArgumentException($"{name} of input {ShapeMath.Format(shape)} needs kernel > 0 and stride > 0, got kernel {kernel}, stride {stride}");
        int height = shape[2], width = shape[3];
        if (kernel > height || kernel > width)
            throw new ArgumentException($"{name} kernel {kernel} is larger than the input {ShapeMath.Format(shape)}");
        return (shape[0], shape[1], height, width, ShapeMath.WindowPositions(height, kernel, stride), ShapeMath.WindowPositions(width, kernel, stride));
    }
}
