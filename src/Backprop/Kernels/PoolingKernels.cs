using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Backprop.Kernels;

/// <summary>The loops of 2-D pooling over planes of [height, width], windows <c>stride</c> apart, no padding.</summary>
internal static class PoolingKernels
{
    /// <summary>y = the largest value of each window; argmax (when not empty) = the input index it came from,
    /// the first one in row-major order on ties, a NaN over any number (the last NaN of a window, as PyTorch).</summary>
    public static void MaxForward<T>(ReadOnlySpan<T> x, Span<T> y, Span<int> argmax, int planes, int height, int width,
        int kernel, int stride) where T : unmanaged, INumber<T>
    {
        int outHeight = ShapeMath.WindowPositions(height, kernel, stride), outWidth = ShapeMath.WindowPositions(width, kernel, stride);
        if (x.Length < planes * height * width || y.Length < planes * outHeight * outWidth || (argmax.Length != 0 && argmax.Length < y.Length))
            throw new ArgumentException("pooling buffers are smaller than the shapes need");
        if (typeof(T) == typeof(float) && kernel == 2 && stride == 2 && outWidth >= 4 && Sse.IsSupported)
        {
            MaxForward2x2(MemoryMarshal.Cast<T, float>(x), MemoryMarshal.Cast<T, float>(y), argmax, planes, height, width, outHeight, outWidth);
            return;
        }
        // Every index below is inside x (the window fits the plane), so reads skip the bounds checks.
        ref T input = ref MemoryMarshal.GetReference(x);
        bool record = argmax.Length != 0;
        int o = 0;
        for (int plane = 0; plane < planes; plane++)
        {
            int planeStart = plane * height * width;
            for (int oh = 0; oh < outHeight; oh++)
            for (int ow = 0; ow < outWidth; ow++, o++)
            {
                int corner = planeStart + oh * stride * width + ow * stride, best = corner;
                if (kernel == 2)
                {
                    best = Larger(ref input, best, corner + 1);
                    best = Larger(ref input, best, corner + width);
                    best = Larger(ref input, best, corner + width + 1);
                }
                else
                {
                    for (int i = 0; i < kernel; i++)
                    for (int j = 0; j < kernel; j++)
                        best = Larger(ref input, best, corner + i * width + j);
                }
                if (record) argmax[o] = best;
                y[o] = Unsafe.Add(ref input, best);
            }
        }
    }

    // The common 2×2, stride-2 window over float32 maps, four outputs at a time: the same comparisons in the same
    // order as Larger (so the same winner on ties and NaNs), on vectors. A row whose width is not a multiple of
    // four ends with a block overlapping the one before, which recomputes the same values.
    // NOTE: scalar, this pooling took ~6 ns per output, as long as a whole convolution layer's GEMM in bench (e).
    private static unsafe void MaxForward2x2(ReadOnlySpan<float> x, Span<float> y, Span<int> argmax, int planes, int height,
        int width, int outHeight, int outWidth)
    {
        bool record = argmax.Length != 0;
        var down = Vector128.Create(width);
        var diagonal = Vector128.Create(width + 1);
        var right = Vector128<int>.One;
        fixed (float* input = x, output = y)
        fixed (int* indices = argmax)
        for (int plane = 0; plane < planes; plane++)
        for (int oh = 0; oh < outHeight; oh++)
        {
            int rowStart = plane * height * width + 2 * oh * width;
            float* top = input + rowStart, bottom = top + width;
            int o = (plane * outHeight + oh) * outWidth;
            for (int ow = 0; ; ow += 4)
            {
                ow = Math.Min(ow, outWidth - 4);
                Vector128<float> topLeft4 = Sse.LoadVector128(top + 2 * ow), topRight4 = Sse.LoadVector128(top + 2 * ow + 4);
                Vector128<float> bottomLeft4 = Sse.LoadVector128(bottom + 2 * ow), bottomRight4 = Sse.LoadVector128(bottom + 2 * ow + 4);
                // Even columns are the windows' left pixels, odd ones their right pixels.
                Vector128<float> best = Sse.Shuffle(topLeft4, topRight4, 0b10_00_10_00);
                Vector128<int> offset = Vector128<int>.Zero;
                Take(Sse.Shuffle(topLeft4, topRight4, 0b11_01_11_01), right, ref best, ref offset);
                Take(Sse.Shuffle(bottomLeft4, bottomRight4, 0b10_00_10_00), down, ref best, ref offset);
                Take(Sse.Shuffle(bottomLeft4, bottomRight4, 0b11_01_11_01), diagonal, ref best, ref offset);
                Sse.Store(output + o + ow, best);
                if (record)
                {
                    var corner = Vector128.Create(rowStart + 2 * ow) + Vector128.Create(0, 2, 4, 6);
                    (corner + offset).Store(indices + o + ow);
                }
                if (ow == outWidth - 4) break;
            }
        }
    }

    // best, offset ← candidate, its offset where the candidate is larger or NaN (Larger's rule, four lanes at once).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Take(Vector128<float> candidate, Vector128<int> candidateOffset, ref Vector128<float> best, ref Vector128<int> offset)
    {
        Vector128<float> take = Vector128.GreaterThan(candidate, best) | ~Vector128.Equals(candidate, candidate);
        best = Vector128.ConditionalSelect(take, candidate, best);
        offset = Vector128.ConditionalSelect(take.AsInt32(), candidateOffset, offset);
    }

    /// <summary>
    /// dx[argmax[o]] += dy[o] for every output o: max pooling's backward. Unless <paramref name="accumulate"/>, dx is
    /// written outright (its old contents are ignored), as zeros plus those sums.
    /// </summary>
    /// <remarks>NOTE: one plane at a time, clearing the plane just before its outputs land in it, so the plane is still
    /// in L1 for them. Clearing the whole gradient first (megabytes on a CNN's first map) and scattering after was two
    /// trips to memory. Every argmax index lies in its own output's plane, which is what makes this possible.</remarks>
    public static void MaxBackward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<int> argmax, Span<T> dx, bool accumulate, int planes,
        int planeSize, int outputsPerPlane) where T : unmanaged, INumber<T>
    {
        if (dy.Length < planes * outputsPerPlane || argmax.Length < dy.Length || dx.Length < planes * planeSize)
            throw new ArgumentException("pooling buffers are smaller than the shapes need");
        for (int plane = 0, o = 0; plane < planes; plane++)
        {
            var target = dx.Slice(plane * planeSize, planeSize);
            if (!accumulate)
                target.Clear();
            int planeStart = plane * planeSize;
            for (int end = o + outputsPerPlane; o < end; o++)
                target[argmax[o] - planeStart] += dy[o];
        }
    }

    /// <summary>y = the mean of each window.</summary>
    public static void AverageForward<T>(ReadOnlySpan<T> x, Span<T> y, int planes, int height, int width, int kernel, int stride)
        where T : unmanaged, INumber<T>
    {
        int outHeight = ShapeMath.WindowPositions(height, kernel, stride), outWidth = ShapeMath.WindowPositions(width, kernel, stride);
        T area = T.CreateChecked(kernel * kernel);
        int o = 0;
        for (int plane = 0; plane < planes; plane++)
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
    }

    /// <summary>dx[window] += dy / area for each window: the adjoint of <see cref="AverageForward{T}"/>.</summary>
    public static void AverageBackward<T>(ReadOnlySpan<T> dy, Span<T> dx, int planes, int height, int width, int kernel, int stride)
        where T : unmanaged, INumber<T>
    {
        int outHeight = ShapeMath.WindowPositions(height, kernel, stride), outWidth = ShapeMath.WindowPositions(width, kernel, stride);
        T area = T.CreateChecked(kernel * kernel);
        int o = 0;
        for (int plane = 0; plane < planes; plane++)
        {
            int planeStart = plane * height * width;
            for (int oh = 0; oh < outHeight; oh++)
            for (int ow = 0; ow < outWidth; ow++, o++)
            {
                T share = dy[o] / area;
                for (int i = 0; i < kernel; i++)
                for (int j = 0; j < kernel; j++)
                    dx[planeStart + (oh * stride + i) * width + ow * stride + j] += share;
            }
        }
    }

    // The index of the larger value, the earlier one on ties. NOTE: a NaN always wins, so pooling does not hide
    // a NaN, and of several NaNs the last one gets the gradient, as in PyTorch.
    // NOTE: non-short-circuit & and | and a mask instead of a conditional, so the choice has no jump: on real feature maps the
    // comparison is a coin toss, and a mispredicted branch per comparison made pooling ten times slower.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Larger<T>(ref T x, int best, int candidate) where T : unmanaged, INumber<T>
    {
        T value = Unsafe.Add(ref x, candidate), current = Unsafe.Add(ref x, best);
        bool take = (value > current) | T.IsNaN(value);
        int mask = -(int)Unsafe.As<bool, byte>(ref take); // all ones when taken: arithmetic, not a jump
        return best + ((candidate - best) & mask);
    }
}
