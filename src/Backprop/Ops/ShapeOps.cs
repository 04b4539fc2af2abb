using System.Numerics;

namespace Backprop;

// Reshape, row slicing and transposition. Reshape and row slices are views: they share storage.
public sealed partial class Tensor<T>
{
    /// <summary>A view with a new shape of the same element count; one dimension may be −1 (inferred).</summary>
    public Tensor<T> Reshape(params int[] newShape)
    {
        ArgumentNullException.ThrowIfNull(newShape);
        // NOTE: the errors name the shape as the caller wrote it: filled in, [-1, 4] of 6 elements read "[1, 4]", and
        // two −1s "dimensions must be non-negative".
        string asWritten = ShapeMath.Format(newShape);
        newShape = (int[])newShape.Clone();
        int inferred = Array.IndexOf(newShape, -1);
        if (inferred >= 0 && Array.IndexOf(newShape, -1, inferred + 1) >= 0)
            throw new ArgumentException($"cannot reshape {ShapeMath.Format(shape)} into {asWritten}: only one dimension can be −1");
        if (newShape.Any(size => size < -1))
            throw new ArgumentException($"cannot reshape {ShapeMath.Format(shape)} into {asWritten}: a size must be ≥ 0, or −1 to infer it");
        if (inferred >= 0)
        {
            long known = 1;
            for (int i = 0; i < newShape.Length; i++) if (i != inferred) known *= newShape[i];
            if (known != 0 && Length % known != 0)
                throw new ArgumentException($"cannot reshape {ShapeMath.Format(shape)} ({Length} elements) into {asWritten}");
            newShape[inferred] = known == 0 ? 0 : (int)(Length / known);
        }
        if (ShapeMath.Product(newShape) != Length)
            throw new ArgumentException($"cannot reshape {ShapeMath.Format(shape)} ({Length} elements) into {asWritten}");
        var input = this;
        var output = new Tensor<T>(storage, offset, newShape);
        if (!ShouldRecord(input)) return output;
        return output.Recorded("reshape", [input], grad => input.AccumulateGrad(grad.Data));
    }

    /// <summary>A view of rows [start, start + count) along the first dimension.</summary>
    public Tensor<T> Rows(int start, int count)
    {
        if (Rank == 0) throw new InvalidOperationException("a scalar has no rows");
        if (start < 0 || count < 0 || start + count > shape[0])
            throw new ArgumentOutOfRangeException(nameof(start), $"rows [{start}, {start + count}) are outside [0, {shape[0]})");
        int rowLength = shape[0] == 0 ? 0 : Length / shape[0];
        var newShape = (int[])shape.Clone();
        newShape[0] = count;
        var input = this;
        var output = new Tensor<T>(storage, offset + start * rowLength, newShape);
        if (!ShouldRecord(input)) return output;
        return output.Recorded("rows", [input], grad =>
        {
            var destination = input.GradBuffer().Slice(start * rowLength, count * rowLength);
            System.Numerics.Tensors.TensorPrimitives.Add(destination, grad.Data, destination);
        });
    }

    /// <summary>Swaps the last two dimensions (a copy, since tensors are always contiguous).</summary>
    public Tensor<T> Transpose()
    {
        if (Rank < 2) throw new InvalidOperationException($"transpose needs at least 2 dimensions, got {Rank}");
        var input = this;
        var output = Tensor.Zeros<T>(TransposedShape(shape));
        TransposeLastTwo(Data, output.Data, shape);
        if (!ShouldRecord(input)) return output;
        return output.Recorded("transpose", [input], grad =>
        {
            var back = TensorArena.Rent<T>(grad.Length, clear: false); // TransposeLastTwo writes every element
            TransposeLastTwo(grad.Data, back, grad.shape);
            input.AccumulateGrad(back);
        });
    }

    private static int[] TransposedShape(int[] shape)
    {
        var result = (int[])shape.Clone();
        (result[^1], result[^2]) = (result[^2], result[^1]);
        return result;
    }

    // source (…, rows, columns) → destination (…, columns, rows)
    private static void TransposeLastTwo(ReadOnlySpan<T> source, Span<T> destination, int[] sourceShape)
    {
        int rows = sourceShape[^2], columns = sourceShape[^1], matrix = rows * columns;
        if (matrix == 0) return;
        for (int start = 0; start < source.Length; start += matrix)
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < columns; c++)
                    destination[start + c * rows + r] = source[start + r * columns + c];
    }
}
