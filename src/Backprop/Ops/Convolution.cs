using System.Numerics;
using Backprop.Kernels;

namespace Backprop;

// 2-D convolution: the shape checks and the autograd record; the arithmetic is in ConvolutionKernels.
public sealed partial class Tensor<T>
{
    /// <summary>
    /// input [N, Cin, H, W] ⊛ weight [Cout, Cin, k, k] (+ bias [Cout]) → [N, Cout, Ho, Wo], with
    /// Ho = (H + 2·padding − k) / stride + 1 (floor) and zero padding, as torch.nn.functional.conv2d.
    /// </summary>
    public static unsafe Tensor<T> Conv2d(Tensor<T> input, Tensor<T> weight, Tensor<T>? bias, int stride = 1, int padding = 0)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        if (input.Rank != 4) throw new ArgumentException($"conv2d input must be [N, C, H, W], got {ShapeMath.Format(input.shape)}");
        if (weight.Rank != 4 || weight.shape[2] != weight.shape[3])
            throw new ArgumentException($"conv2d weight must be [out, in, k, k], got {ShapeMath.Format(weight.shape)}");
        if (weight.shape[1] != input.shape[1])
            throw new ArgumentException($"conv2d weight {ShapeMath.Format(weight.shape)} takes {weight.shape[1]} channels, the input {ShapeMath.Format(input.shape)} has {input.shape[1]}");
        if (bias is not null && (bias.Rank != 1 || bias.shape[0] != weight.shape[0]))
            throw new ArgumentException($"conv2d bias must be [{weight.shape[0]}], got {ShapeMath.Format(bias.shape)}");
        if (stride <= 0 || padding < 0 || weight.shape[2] <= 0)
            throw new ArgumentException($"conv2d of input {ShapeMath.Format(input.shape)} with weight {ShapeMath.Format(weight.shape)} needs a kernel > 0, stride > 0 and padding ≥ 0, got stride {stride}, padding {padding}");
        // NOTE: sized in long. In int, a padding of 1.1e9 wrapped round to "kernel larger than the input", and an unfolded
        // image past 2³¹ values (16 channels of 1060 × 1060, kernel 11) failed inside ArrayPool with a negative length.
        long kernel = weight.shape[2], paddedHeight = input.shape[2] + 2L * padding, paddedWidth = input.shape[3] + 2L * padding;
        if (paddedHeight < kernel || paddedWidth < kernel)
            throw new ArgumentException($"conv2d kernel {kernel} is larger than the input {ShapeMath.Format(input.shape)} with padding {padding}");
        long unfoldedRows = input.shape[1] * kernel * kernel;
        long positions = ((paddedHeight - kernel) / stride + 1) * ((paddedWidth - kernel) / stride + 1);
        if (unfoldedRows > Array.MaxLength / positions)
            throw new ArgumentException($"conv2d of input {ShapeMath.Format(input.shape)} with weight {ShapeMath.Format(weight.shape)}, stride {stride} and padding {padding} " +
                $"unfolds each image into {unfoldedRows:N0} × {positions:N0} values (in_channels × kernel² by output positions), more than one array holds");
        var g = new Im2Col.Geometry(input.shape[1], input.shape[2], input.shape[3], weight.shape[2], stride, padding);

        int batch = input.shape[0], outChannels = weight.shape[0];
        // NOTE: every output value is written below, so the array need not be cleared first.
        var output = Tensor.Uninitialized<T>(batch, outChannels, g.OutHeight, g.OutWidth);
        fixed (T* x = input.Data, w = weight.Data, b = bias is null ? default : bias.Data, y = output.Data)
            ConvolutionKernels.Forward(x, w, b, y, g, batch, outChannels);
        if (!ShouldRecord(input, weight, bias)) return output;
        return output.Recorded("conv2d", bias is null ? [input, weight] : [input, weight, bias], grad =>
        {
            fixed (T* x = input.Data, w = weight.Data, dY = grad.Data,
                   dX = input.RequiresGrad ? input.GradBuffer() : default, dW = weight.RequiresGrad ? weight.GradBuffer() : default,
                   dB = bias is { RequiresGrad: true } ? bias.GradBuffer() : default)
                ConvolutionKernels.Backward(x, w, dY, dX, dW, dB, g, batch, outChannels);
        });
    }
}
