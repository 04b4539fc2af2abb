using System.Buffers;
using System.Numerics;
using Backprop.Kernels;

namespace Backprop;

// 2-D convolution as im2col plus one GEMM per group of images, forward and backward.
public sealed partial class Tensor<T>
{
    // NOTE: images are convolved in groups whose columns fit in about this many values (16 MB of float), so
    // that one GEMM covers many images (large enough to use both cores) without an im2col buffer the size of
    // the batch.
    private const int ConvolutionColumnBudget = 1 << 22;

    /// <summary>
    /// input [N, Cin, H, W] ⊛ weight [Cout, Cin, k, k] (+ bias [Cout]) → [N, Cout, Ho, Wo], with
    /// Ho = (H + 2·padding − k) / stride + 1 (floor) and zero padding, as torch.nn.functional.conv2d.
    /// </summary>
    public static Tensor<T> Conv2d(Tensor<T> input, Tensor<T> weight, Tensor<T>? bias, int stride = 1, int padding = 0)
    {
        if (input.Rank != 4) throw new ArgumentException($"conv2d input must be [N, C, H, W], got {ShapeMath.Format(input.shape)}");
        if (weight.Rank != 4 || weight.shape[2] != weight.shape[3])
            throw new ArgumentException($"conv2d weight must be [out, in, k, k], got {ShapeMath.Format(weight.shape)}");
        if (weight.shape[1] != input.shape[1])
            throw new ArgumentException($"conv2d weight {ShapeMath.Format(weight.shape)} takes {weight.shape[1]} channels, the input {ShapeMath.Format(input.shape)} has {input.shape[1]}");
        if (bias is not null && (bias.Rank != 1 || bias.shape[0] != weight.shape[0]))
            throw new ArgumentException($"conv2d bias must be [{weight.shape[0]}], got {ShapeMath.Format(bias.shape)}");
        if (stride <= 0 || padding < 0 || weight.shape[2] <= 0)
            throw new ArgumentException($"conv2d of input {ShapeMath.Format(input.shape)} with weight {ShapeMath.Format(weight.shape)} needs a kernel > 0, stride > 0 and padding ≥ 0, got stride {stride}, padding {padding}");
        var g = new Im2Col.Geometry(input.shape[1], input.shape[2], input.shape[3], weight.shape[2], stride, padding);
        if (g.Height + 2 * padding < g.Kernel || g.Width + 2 * padding < g.Kernel)
            throw new ArgumentException($"conv2d kernel {g.Kernel} is larger than the input {ShapeMath.Format(input.shape)} with padding {padding}");

        int batch = input.shape[0], outChannels = weight.shape[0], positions = g.Positions;
        // NOTE: every output value is written below, so the array need not be cleared first.
        var output = Tensor.Uninitialized<T>(batch, outChannels, g.OutHeight, g.OutWidth);
        int group = Math.Clamp(ConvolutionColumnBudget / Math.Max(1, g.Rows * positions), 1, Math.Max(batch, 1));
        // NOTE: when the whole batch is one group (at most 16 MB of float columns), the columns stay alive for the
        // weight gradient (storage from the step's arena, if any) rather than being laid out a second time in
        // backward: in bench (e) that took 0.6–1 ms of a 9 ms step. Otherwise the scratch matrices are rented:
        // megabytes per call, and renting spares the GC a large-object allocation per layer and step.
        bool record = ShouldRecord(input, weight, bias);
        bool keepColumns = record && group == batch && weight.RequiresGrad;
        var cols = keepColumns ? TensorArena.Rent<T>(g.Rows * batch * positions, clear: false) : ArrayPool<T>.Shared.Rent(g.Rows * group * positions);
        var products = ArrayPool<T>.Shared.Rent(outChannels * group * positions);
        for (int first = 0; first < batch; first += group)
        {
            int count = Math.Min(group, batch - first), columns = count * positions;
            GatherGroup(input.Data, g, first, count, cols, columns);
            MatrixMultiply.Multiply<T>(weight.Data, cols.AsSpan(0, g.Rows * columns), products.AsSpan(0, outChannels * columns), outChannels, columns, g.Rows);
            // products is [Cout, images·positions]; the output wants [images, Cout, positions].
            for (int image = 0; image < count; image++)
            for (int channel = 0; channel < outChannels; channel++)
            {
                var source = products.AsSpan(channel * columns + image * positions, positions);
                var target = output.Data.Slice(((first + image) * outChannels + channel) * positions, positions);
                // The bias rides along with the copy: one pass over the output instead of two.
                if (bias is null) source.CopyTo(target);
                else System.Numerics.Tensors.TensorPrimitives.Add(source, bias.Data[channel], target);
            }
        }
        ArrayPool<T>.Shared.Return(products);
        if (!keepColumns) ArrayPool<T>.Shared.Return(cols);
        if (!record) return output;
        return output.Recorded("conv2d", bias is null ? [input, weight] : [input, weight, bias], grad =>
        {
            var dOutput = grad.Data;
            if (bias is { RequiresGrad: true })
            {
                var dBias = bias.GradBuffer();
                for (int image = 0; image < batch; image++)
                for (int channel = 0; channel < outChannels; channel++)
                    dBias[channel] += System.Numerics.Tensors.TensorPrimitives.Sum<T>(dOutput.Slice((image * outChannels + channel) * positions, positions));
            }
            if (!input.RequiresGrad && !weight.RequiresGrad) return;
            var dProducts = ArrayPool<T>.Shared.Rent(outChannels * group * positions);
            var dCols = ArrayPool<T>.Shared.Rent(input.RequiresGrad ? g.Rows * group * positions : 0);
            var columnsOfImages = keepColumns ? cols : ArrayPool<T>.Shared.Rent(weight.RequiresGrad ? g.Rows * group * positions : 0);
            for (int first = 0; first < batch; first += group)
            {
                int count = Math.Min(group, batch - first), columns = count * positions;
                for (int image = 0; image < count; image++)
                for (int channel = 0; channel < outChannels; channel++)
                    dOutput.Slice(((first + image) * outChannels + channel) * positions, positions)
                        .CopyTo(dProducts.AsSpan(channel * columns + image * positions, positions));
                if (weight.RequiresGrad)
                {
                    // dW [Cout, Cin·k·k] += dY [Cout, columns] · colsᵀ, with the forward's columns or laid out again.
                    if (!keepColumns) GatherGroup(input.Data, g, first, count, columnsOfImages, columns);
                    MatrixMultiply.Multiply<T>(dProducts.AsSpan(0, outChannels * columns), columnsOfImages.AsSpan(0, g.Rows * columns), weight.GradBuffer(),
                        outChannels, g.Rows, columns, transposeB: true, accumulate: true);
                }
                if (input.RequiresGrad)
                {
                    // dCols [Cin·k·k, columns] = Wᵀ · dY, then each column goes back onto the pixels it was read from.
                    MatrixMultiply.Multiply<T>(weight.Data, dProducts.AsSpan(0, outChannels * columns), dCols.AsSpan(0, g.Rows * columns),
                        g.Rows, columns, outChannels, transposeA: true);
                    var dInput = input.GradBuffer();
                    for (int image = 0; image < count; image++)
                        Im2Col.ScatterAdd<T>(dCols.AsSpan(0, g.Rows * columns), g, columns, image * positions,
                            dInput.Slice((first + image) * g.ImageSize, g.ImageSize));
                }
            }
            ArrayPool<T>.Shared.Return(dProducts);
            ArrayPool<T>.Shared.Return(dCols);
            if (!keepColumns) ArrayPool<T>.Shared.Return(columnsOfImages);
        });
    }

    private static void GatherGroup(ReadOnlySpan<T> images, in Im2Col.Geometry g, int first, int count, T[] cols, int columns)
    {
        for (int image = 0; image < count; image++)
            Im2Col.Gather(images.Slice((first + image) * g.ImageSize, g.ImageSize), g, cols.AsSpan(0, g.Rows * columns), columns, image * g.Positions);
    }
}
