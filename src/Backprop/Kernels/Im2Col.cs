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
                for (int ow = 0; ow < outWidth; ow++)
                {
                    int w = ow * g.Stride - g.Padding + j;
                    target[ow] = (uint)w < (uint)g.Width ? source[w] : T.Zero;
                }
            }
        }
    }

    /// <summary>The adjoint of <see cref="Gather{T}"/>: adds each column entry back onto the pixel it came from.</summary>
    public static void ScatterAdd<T>(ReadOnlySpan<T> cols, in Geometry g, int rowStride, int column, Span<T> image)
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
                if ((uint)h >= (uint)g.Height) continue;
                var target = image.Slice((c * g.Height + h) * g.Width, g.Width);
                var source = row.Slice(oh * outWidth, outWidth);
                for (int ow = 0; ow < outWidth; ow++)
                {
                    int w = ow * g.Stride - g.Padding + j;
                    if ((uint)w < (uint)g.Width) target[w] += source[ow];
                }
            }
        }
    }
}
