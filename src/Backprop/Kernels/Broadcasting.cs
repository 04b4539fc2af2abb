using System.Numerics;
using System.Numerics.Tensors;

namespace Backprop.Kernels;

/// <summary>An elementwise binary operation in scalar and span forms, so the broadcast driver can hand whole
/// rows to TensorPrimitives.</summary>
internal interface IBinaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    static abstract T Apply(T x, T y);
    static abstract void Apply(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination);
    static abstract void Apply(ReadOnlySpan<T> x, T y, Span<T> destination);
    static abstract void Apply(T x, ReadOnlySpan<T> y, Span<T> destination);
}

internal readonly struct AddOperator<T> : IBinaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T x, T y) => x + y;
    public static void Apply(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) => TensorPrimitives.Add(x, y, d);
    public static void Apply(ReadOnlySpan<T> x, T y, Span<T> d) => TensorPrimitives.Add(x, y, d);
    public static void Apply(T x, ReadOnlySpan<T> y, Span<T> d) => TensorPrimitives.Add(y, x, d);
}

internal readonly struct SubtractOperator<T> : IBinaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T x, T y) => x - y;
    public static void Apply(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) => TensorPrimitives.Subtract(x, y, d);
    public static void Apply(ReadOnlySpan<T> x, T y, Span<T> d) => TensorPrimitives.Subtract(x, y, d);
    public static void Apply(T x, ReadOnlySpan<T> y, Span<T> d) => TensorPrimitives.Subtract(x, y, d);
}

internal readonly struct MultiplyOperator<T> : IBinaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T x, T y) => x * y;
    public static void Apply(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) => TensorPrimitives.Multiply(x, y, d);
    public static void Apply(ReadOnlySpan<T> x, T y, Span<T> d) => TensorPrimitives.Multiply(x, y, d);
    public static void Apply(T x, ReadOnlySpan<T> y, Span<T> d) => TensorPrimitives.Multiply(y, x, d);
}

internal readonly struct DivideOperator<T> : IBinaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T x, T y) => x / y;
    public static void Apply(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) => TensorPrimitives.Divide(x, y, d);
    public static void Apply(ReadOnlySpan<T> x, T y, Span<T> d) => TensorPrimitives.Divide(x, y, d);
    public static void Apply(T x, ReadOnlySpan<T> y, Span<T> d) => TensorPrimitives.Divide(x, y, d);
}

internal readonly struct MaximumOperator<T> : IBinaryOperator<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public static T Apply(T x, T y) => T.Max(x, y);
    public static void Apply(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) => TensorPrimitives.Max(x, y, d);
    public static void Apply(ReadOnlySpan<T> x, T y, Span<T> d) => TensorPrimitives.Max(x, y, d);
    public static void Apply(T x, ReadOnlySpan<T> y, Span<T> d) => TensorPrimitives.Max(y, x, d);
}

/// <summary>NumPy broadcasting over contiguous row-major buffers, one innermost row at a time.</summary>
internal static class Broadcasting
{
    /// <summary>destination[outputShape] = op(x[xShape], y[yShape]) with both inputs broadcast to outputShape.</summary>
    public static void Binary<T, TOperator>(ReadOnlySpan<T> x, int[] xShape, ReadOnlySpan<T> y, int[] yShape, Span<T> destination, int[] outputShape)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOperator : IBinaryOperator<T>
    {
        if (destination.Length == 0) return;
        if (x.Length == destination.Length && y.Length == destination.Length) { TOperator.Apply(x, y, destination); return; }
        if (y.Length == 1 && x.Length == destination.Length) { TOperator.Apply(x, y[0], destination); return; }
        if (x.Length == 1 && y.Length == destination.Length) { TOperator.Apply(x[0], y, destination); return; }

        int rank = outputShape.Length;
        int inner = outputShape[rank - 1];
        var xStrides = ShapeMath.BroadcastStrides(xShape, outputShape);
        var yStrides = ShapeMath.BroadcastStrides(yShape, outputShape);
        bool xRow = xStrides[rank - 1] != 0 || inner == 1, yRow = yStrides[rank - 1] != 0 || inner == 1;
        Span<int> counter = stackalloc int[rank];
        int xOffset = 0, yOffset = 0;
        for (int start = 0; start < destination.Length; start += inner)
        {
            var row = destination.Slice(start, inner);
            if (xRow && yRow) TOperator.Apply(x.Slice(xOffset, inner), y.Slice(yOffset, inner), row);
            else if (xRow) TOperator.Apply(x.Slice(xOffset, inner), y[yOffset], row);
            else if (yRow) TOperator.Apply(x[xOffset], y.Slice(yOffset, inner), row);
            else row.Fill(TOperator.Apply(x[xOffset], y[yOffset]));
            Advance(counter, outputShape, xStrides, yStrides, ref xOffset, ref yOffset);
        }
    }

    /// <summary>target[targetShape] += the sum of source[sourceShape] over the dimensions along which target
    /// was broadcast: the backward of broadcasting.</summary>
    public static void SumInto<T>(ReadOnlySpan<T> source, int[] sourceShape, Span<T> target, int[] targetShape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (source.Length == 0) return;
        if (source.Length == target.Length) { TensorPrimitives.Add(target, source, target); return; }
        if (target.Length == 1) { target[0] += TensorPrimitives.Sum(source); return; }

        int rank = sourceShape.Length;
        int inner = sourceShape[rank - 1];
        var targetStrides = ShapeMath.BroadcastStrides(targetShape, sourceShape);
        bool targetRow = targetStrides[rank - 1] != 0 || inner == 1;
        Span<int> counter = stackalloc int[rank];
        int targetOffset = 0, unused = 0;
        var noStrides = new int[rank];
        for (int start = 0; start < source.Length; start += inner)
        {
            var row = source.Slice(start, inner);
            if (targetRow)
            {
                var destination = target.Slice(targetOffset, inner);
                TensorPrimitives.Add(destination, row, destination);
            }
            else
            {
                target[targetOffset] += TensorPrimitives.Sum(row);
            }
            Advance(counter, sourceShape, targetStrides, noStrides, ref targetOffset, ref unused);
        }
    }

    /// <summary>Steps an odometer over every dimension but the last, keeping two operands' offsets in step.</summary>
    private static void Advance(Span<int> counter, int[] shape, int[] xStrides, int[] yStrides, ref int xOffset, ref int yOffset)
    {
        for (int d = shape.Length - 2; d >= 0; d--)
        {
            counter[d]++;
            xOffset += xStrides[d];
            yOffset += yStrides[d];
            if (counter[d] < shape[d]) return;
            xOffset -= xStrides[d] * shape[d];
            yOffset -= yStrides[d] * shape[d];
            counter[d] = 0;
        }
    }
}
