using System.Numerics;
using System.Runtime.InteropServices;

namespace Backprop.IO;

/// <summary>The element types Backprop reads and writes in safetensors files.</summary>
public enum SafeTensorDType
{
    /// <summary>32-bit IEEE floats.</summary>
    F32,
    /// <summary>64-bit IEEE floats.</summary>
    F64,
}

/// <summary>One tensor of a safetensors file: element type, shape and row-major values.</summary>
public sealed class SafeTensor
{
    private readonly Array values; // float[] for F32, double[] for F64

    private SafeTensor(SafeTensorDType dtype, int[] shape, Array values)
    {
        foreach (int dimension in shape) ArgumentOutOfRangeException.ThrowIfNegative(dimension, nameof(shape));
        long length = shape.Aggregate(1L, (product, dimension) => product * dimension);
        if (length != values.Length)
            throw new ArgumentException($"{values.Length} values cannot fill shape [{string.Join(", ", shape)}]", nameof(values));
        DType = dtype;
        Shape = shape;
        this.values = values;
    }

    /// <summary>Wraps (without copying) float32 values; a null shape means a vector, [] a scalar.</summary>
    public static SafeTensor FromFloats(float[] values, int[]? shape = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new(SafeTensorDType.F32, shape is null ? [values.Length] : (int[])shape.Clone(), values);
    }

    /// <summary>Wraps (without copying) float64 values; a null shape means a vector, [] a scalar.</summary>
    public static SafeTensor FromDoubles(double[] values, int[]? shape = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new(SafeTensorDType.F64, shape is null ? [values.Length] : (int[])shape.Clone(), values);
    }

    /// <summary>A copy of a tensor's values, F32 for <c>Tensor&lt;float&gt;</c> and F64 for <c>Tensor&lt;double&gt;</c>.</summary>
    public static SafeTensor FromTensor<T>(Tensor<T> tensor) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return tensor.ToArray() switch
        {
            float[] floats => FromFloats(floats, tensor.ShapeArray),
            double[] doubles => FromDoubles(doubles, tensor.ShapeArray),
            _ => throw new NotSupportedException($"safetensors files hold float and double tensors, not {typeof(T).Name}"),
        };
    }

    /// <summary>The element type as stored in the file.</summary>
    public SafeTensorDType DType { get; }

    /// <summary>The size of each dimension, outermost first (empty for a scalar).</summary>
    public int[] Shape { get; }

    /// <summary>The number of elements.</summary>
    public int Length => values.Length;

    /// <summary>The bytes per element: 4 for F32, 8 for F64.</summary>
    public int ElementSize => SizeOf(DType);

    internal static int SizeOf(SafeTensorDType dtype) => dtype == SafeTensorDType.F64 ? 8 : 4;

    /// <summary>The values as float32 (a copy; F64 values are rounded).</summary>
    public float[] ToFloats() => values is double[] doubles ? Array.ConvertAll(doubles, value => (float)value) : (float[])values.Clone();

    /// <summary>The values as float64 (a copy; F32 values are widened exactly).</summary>
    public double[] ToDoubles() => values is float[] floats ? Array.ConvertAll(floats, value => (double)value) : (double[])values.Clone();

    /// <summary>A new tensor of this shape holding the values converted to <typeparamref name="T"/>.</summary>
    public Tensor<T> ToTensor<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        var result = Tensor.Zeros<T>(Shape);
        var data = result.Data;
        if (values is float[] floats) for (int i = 0; i < floats.Length; i++) data[i] = T.CreateChecked(floats[i]);
        else if (values is double[] doubles) for (int i = 0; i < doubles.Length; i++) data[i] = T.CreateChecked(doubles[i]);
        return result;
    }

    /// <summary>The raw little-endian bytes, as stored in the file.</summary>
    internal ReadOnlySpan<byte> Bytes => values is float[] floats
        ? MemoryMarshal.AsBytes(floats.AsSpan())
        : MemoryMarshal.AsBytes(((double[])values).AsSpan());

    /// <summary>Copies little-endian bytes (a whole number of elements) into a new tensor.</summary>
    internal static SafeTensor FromBytes(SafeTensorDType dtype, int[] shape, ReadOnlySpan<byte> bytes) => dtype switch
    {
        SafeTensorDType.F32 => new(dtype, shape, MemoryMarshal.Cast<byte, float>(bytes).ToArray()),
        _ => new(dtype, shape, MemoryMarshal.Cast<byte, double>(bytes).ToArray()),
    };

    /// <inheritdoc/>
    public override string ToString() => $"{DType}[{string.Join(", ", Shape)}]";
}
