using System.Numerics;

namespace Backprop.Kernels;

/// <summary>
/// Lays out every kernel window of an image as a column, so that a convolution becomes one matrix product:
/// cols[(c·k + i)·k + j, p] = x[c, oh·s − pad + i, ow·s − pad + j] for output position p = oh·Wo + ow (zero
/// where the window hangs over the padding). Several images sit side by side: image g's positions are the
/// columns g·Ho·Wo onwards of rows <paramref name="rowStride"/> long.
/// </summary>
internal static class Im2Col
{
    public readonly record struct Geometry(int Channels, int Height, int Width, int Kernel, int Stride, int Padding)
    {
        public int OutHeight => (Height + 2 * Padding - Kernel) / Stride + 1;
        public int OutWidth => (Width + 2 * Padding - Kernel) / Stride + 1;
        public int Positions => OutHeight * OutWidth;
        public int Rows => Channels * Kernel * Kernel;
        public int ImageSize => Channels * Height * Width;
    }

    /// <summary>Writes image <paramref name="image"/> [C, H, W] into the columns starting at <paramref name="column"/>.</summary>
    public static void Gather<T>(ReadOnlySpan<T> image, in Geometry g, Span<T> cols, int rowStride, int column)
        where T : unmanaged, INumber<T>
    {
        int outHeight = g.OutHeight, outWidth = g.OutWidth;
        for (int c = 0; c < g.Channels; c++)
        for (int i = 0; i < g.Kernel; i++)
        for (int j = 0; j < g.Kernel; j++)
        {
            var row = cols.Slice(((c * g.Kernel + i) * g.Kernel + j) * rowStride + column, outHeight * outWidth);
            for (int oh = 0; oh < outHeight; oh++)
            {
                int h = oh * g.Stride - g.Padding + i;
                var target = row.Slice(oh * outWidth, outWidth);
                if ((uint)h >= (uint)g.Height)
                {
                    target.Clear();
                    continue;
                }
                var source = image.Slice((c * g.Height + h) * g.Width, g.Width);
                var (first, end) = ValidColumns(g, j, outWidth);
                target[..first].Clear();
                target[end..].Clear();
                if (g.Stride == 1)
                {
                    // NOTE: the common case, one contiguous run per row: a block copy instead of a loop of branches.
                    source.Slice(first - g.Padding + j, end - first).CopyTo(target[first..end]);
                    continue;
                }
                for (int ow = first; ow < end; ow++) target[ow] = source[ow * g.Stride - g.Padding + j];
            }
        }
    }

    // The output columns ow whose input column ow·s − pad + j lies inside the image: [first, end).
    private static (int First, int End) ValidColumns(in Geometry g, int j, int outWidth)
    {
        int offset = j - g.Padding; // input column = ow·stride + offset
        int first = offset >= 0 ? 0 : Math.Min(outWidth, (-offset + g.Stride - 1) / g.Stride);
        int end = g.Width - offset <= 0 ? first : Math.Clamp((g.Width - offset + g.Stride - 1) / g.Stride, first, outWidth);
        return (first, end);
    }

    /// <summary>The adjoint of <see cref="Gather{T}"/>: adds each column entry back onto the pixel it came from.</summary>
    public static void ScatterAdd<T>(ReadOnlySpan<T> cols, in Geometry g, int rowStride, int column, Span<T> image)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int outHeight = g.OutHeight, outWidth = g.OutWidth;
        for (int c = 0; c < g.Channels; c++)
        for (int i = 0; i < g.Kernel; i++)
        for (int j = 0; j < g.Kernel; j++)
        {
            var row = cols.Slice(((c * g.Kernel + i) * g.Kernel + j) * rowStride + column, outHeight * outWidth);
            for (int oh = 0; oh < outHeight; oh++)
            {
                int h = oh * g.Stride - g.Padding + i;
                if ((uint)h >= (uint)g.Height) continue;
                var target = image.Slice((c * g.Height + h) * g.Width, g.Width);
                var source = row.Slice(oh * outWidth, outWidth);
                var (first, end) = ValidColumns(g, j, outWidth);
                if (g.Stride == 1)
                {
                    var run = target.Slice(first - g.Padding + j, end - first);
                    System.Numerics.Tensors.TensorPrimitives.Add<T>(run, source[first..end], run);
                    continue;
                }
                for (int ow = first; ow < end; ow++) target[ow * g.Stride - g.Padding + j] += source[ow];
            }
        }
    }
}
