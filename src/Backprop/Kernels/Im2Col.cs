using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Backprop.Kernels;

/// <summary>
/// Lays out every kernel window of an image as a column, so that a convolution becomes one matrix product:
/// cols[(c·k + i)·k + j, p] = x[c, oh·s − pad + i, ow·s − pad + j] for output position p = oh·Wo + ow (zero
/// where the window hangs over the padding). Several images sit side by side: image g's positions are the
/// columns g·Ho·Wo onwards of rows rowStride long.
/// </summary>
internal static class Im2Col
{
    public readonly record struct Geometry(int Channels, int Height, int Width, int Kernel, int Stride, int Padding)
    {
        public int OutHeight => ShapeMath.WindowPositions(Height, Kernel, Stride, Padding);
        public int OutWidth => ShapeMath.WindowPositions(Width, Kernel, Stride, Padding);
        public int Positions => OutHeight * OutWidth;
        public int Rows => Channels * Kernel * Kernel;
        public int ImageSize => Channels * Height * Width;
    }

    /// <summary>Writes image <paramref name="image"/> [C, H, W] into the columns starting at <paramref name="column"/>.</summary>
    public static unsafe void Gather<T>(ReadOnlySpan<T> image, in Geometry g, Span<T> cols, int rowStride, int column)
        where T : unmanaged, INumber<T>
    {
        CheckLengths(image.Length, cols.Length, g, rowStride, column);
        int outHeight = g.OutHeight, outWidth = g.OutWidth;
        // NOTE: pointers, with the bounds checked once above: each row of a small feature map is only a dozen
        // values, and slicing and bounds checks per row cost more than the copy.
        fixed (T* imageStart = image, colsStart = cols)
        for (int c = 0; c < g.Channels; c++)
        for (int i = 0; i < g.Kernel; i++)
        for (int j = 0; j < g.Kernel; j++)
        {
            T* row = colsStart + ((c * g.Kernel + i) * g.Kernel + j) * (nint)rowStride + column;
            var (first, end) = ValidColumns(g, j, outWidth);
            int offset = j - g.Padding;
            for (int oh = 0; oh < outHeight; oh++)
            {
                T* target = row + oh * outWidth;
                int h = oh * g.Stride - g.Padding + i;
                if ((uint)h >= (uint)g.Height)
                {
                    new Span<T>(target, outWidth).Clear();
                    continue;
                }
                T* source = imageStart + (c * g.Height + h) * g.Width;
                for (int ow = 0; ow < first; ow++) target[ow] = T.Zero;
                for (int ow = end; ow < outWidth; ow++) target[ow] = T.Zero;
                if (g.Stride == 1)
                    CopyShort(source + first + offset, target + first, end - first);
                else
                    for (int ow = first; ow < end; ow++) target[ow] = source[ow * g.Stride + offset];
            }
        }
    }

    // NOTE: a feature-map row is a dozen values, too short for Buffer.MemoryCopy's call and size dispatch to pay:
    // the copies run as vectors, the last one overlapping the one before when the row is not a whole number of them.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void CopyShort<T>(T* source, T* target, int count) where T : unmanaged
    {
        int width = Vector256<T>.Count;
        if (count >= width)
        {
            int i = 0;
            for (; i + width <= count; i += width)
                Vector256.Store(Vector256.Load(source + i), target + i);
            if (i < count)
                Vector256.Store(Vector256.Load(source + count - width), target + count - width);
            return;
        }
        for (int i = 0; i < count; i++) target[i] = source[i];
    }

    // target[i] += source[i] for a short run: whole vectors, then a half one, then single values (an add, unlike
    // a copy, cannot overlap the vector before).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void AddShort<T>(T* source, T* target, int count) where T : unmanaged, INumber<T>
    {
        int i = 0;
        for (; i + Vector256<T>.Count <= count; i += Vector256<T>.Count)
            Vector256.Store(Vector256.Load(target + i) + Vector256.Load(source + i), target + i);
        if (i + Vector128<T>.Count <= count)
        {
            Vector128.Store(Vector128.Load(target + i) + Vector128.Load(source + i), target + i);
            i += Vector128<T>.Count;
        }
        for (; i < count; i++) target[i] += source[i];
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
    public static unsafe void ScatterAdd<T>(ReadOnlySpan<T> cols, in Geometry g, int rowStride, int column, Span<T> image)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckLengths(image.Length, cols.Length, g, rowStride, column);
        int outHeight = g.OutHeight, outWidth = g.OutWidth;
        fixed (T* imageStart = image, colsStart = cols)
        for (int c = 0; c < g.Channels; c++)
        for (int i = 0; i < g.Kernel; i++)
        for (int j = 0; j < g.Kernel; j++)
        {
            T* row = colsStart + ((c * g.Kernel + i) * g.Kernel + j) * (nint)rowStride + column;
            var (first, end) = ValidColumns(g, j, outWidth);
            int offset = j - g.Padding;
            for (int oh = 0; oh < outHeight; oh++)
            {
                int h = oh * g.Stride - g.Padding + i;
                if ((uint)h >= (uint)g.Height) continue;
                T* target = imageStart + (c * g.Height + h) * g.Width;
                T* source = row + oh * outWidth;
                if (g.Stride == 1)
                    AddShort(source + first, target + first + offset, end - first);
                else
                    for (int ow = first; ow < end; ow++) target[ow * g.Stride + offset] += source[ow];
            }
        }
    }

    private static void CheckLengths(int imageLength, int colsLength, in Geometry g, int rowStride, int column)
    {
        if (imageLength < g.ImageSize)
            throw new ArgumentException($"the image holds {imageLength} values, the geometry needs {g.ImageSize}");
        if (column < 0 || column + g.Positions > rowStride || (long)(g.Rows - 1) * rowStride + column + g.Positions > colsLength)
            throw new ArgumentException($"the columns ({colsLength} values, rows of {rowStride}) cannot hold {g.Rows} rows of {g.Positions} from column {column}");
    }
}
