namespace Backprop;

/// <summary>Shape arithmetic shared by tensors and ops: products, axes, NumPy broadcasting.</summary>
internal static class ShapeMath
{
    public static long Product(ReadOnlySpan<int> shape)
    {
        long product = 1;
        foreach (int size in shape)
        {
            if (size < 0) throw new ArgumentException($"shape {Format(shape)} has a negative dimension");
            product *= size;
        }
        return product;
    }

    /// <summary>The number of elements of <paramref name="shape"/>, which must fit one .NET array.</summary>
    /// <remarks>NOTE: cast unchecked, 50000 × 50000 wrapped to a negative length (OverflowException) and 100000 × 100000
    /// to 1.4 billion (an 11 GB array, then refused as not fitting its shape).</remarks>
    public static int ElementCount(ReadOnlySpan<int> shape)
    {
        long count = Product(shape);
        if (count > Array.MaxLength)
            throw new ArgumentException($"shape {Format(shape)} has {count:N0} elements, more than one tensor holds ({Array.MaxLength:N0})");
        return (int)count;
    }

    /// <summary>How many positions a kernel takes along a side of <paramref name="size"/> (zero-padded by
    /// <paramref name="padding"/> at each end), <paramref name="stride"/> apart, the last one whole (floor mode).</summary>
    public static int WindowPositions(int size, int kernel, int stride, int padding = 0) => (size + 2 * padding - kernel) / stride + 1;

    public static int NormalizeAxis(int axis, int rank)
    {
        int normalized = axis < 0 ? axis + rank : axis;
        if (normalized < 0 || normalized >= rank)
            throw new ArgumentOutOfRangeException(nameof(axis), $"axis {axis} is out of range for rank {rank}");
        return normalized;
    }

    /// <summary>The row-major position of one element, from one index per dimension.</summary>
    /// <remarks>NOTE: argument exceptions that name the index and the shape, as PyTorch's "index 5 is out of bounds for
    /// dimension 0 with size 3": IndexOutOfRangeException is the runtime's own, for arrays, and said nothing of the shape.</remarks>
    public static int FlatIndex(int[] shape, int[] index)
    {
        ArgumentNullException.ThrowIfNull(index);
        if (index.Length != shape.Length)
            throw new ArgumentException($"{index.Length} {(index.Length == 1 ? "index" : "indices")} given for a tensor of shape " +
                $"{Describe(shape)}, which takes {shape.Length}", nameof(index));
        int flat = 0;
        for (int d = 0; d < shape.Length; d++)
        {
            if ((uint)index[d] >= (uint)shape[d])
                throw new ArgumentOutOfRangeException(nameof(index), index[d],
                    $"index {index[d]} is out of bounds for dimension {d} with size {shape[d]} (shape {Describe(shape)})");
            flat = flat * shape[d] + index[d];
        }
        return flat;
    }

    private static string Describe(int[] shape) => $"[{string.Join(", ", shape)}]";

    /// <summary>Row-major strides of a contiguous tensor.</summary>
    public static int[] Strides(ReadOnlySpan<int> shape)
    {
        var strides = new int[shape.Length];
        int stride = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            strides[d] = stride;
            stride *= shape[d];
        }
        return strides;
    }

    /// <summary>The NumPy broadcast of two shapes: align on the right, sizes equal or one of them 1.</summary>
    public static int[] Broadcast(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var result = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int sizeA = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            int sizeB = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (sizeA != sizeB && sizeA != 1 && sizeB != 1)
                throw new ArgumentException($"shapes {Format(a)} and {Format(b)} cannot be broadcast together");
            result[i] = sizeA == 1 ? sizeB : sizeA;
        }
        return result;
    }

    /// <summary>Strides for reading a tensor of <paramref name="shape"/> as if it had <paramref name="target"/>'s
    /// shape: zero along broadcast dimensions.</summary>
    public static int[] BroadcastStrides(ReadOnlySpan<int> shape, ReadOnlySpan<int> target)
    {
        var own = Strides(shape);
        var strides = new int[target.Length];
        int shift = target.Length - shape.Length;
        for (int i = shift; i < target.Length; i++)
            strides[i] = shape[i - shift] == 1 ? 0 : own[i - shift];
        return strides;
    }

    public static bool SameShape(ReadOnlySpan<int> a, ReadOnlySpan<int> b) => a.SequenceEqual(b);

    public static string Format(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";
}
