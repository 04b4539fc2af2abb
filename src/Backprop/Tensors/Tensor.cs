using System.Numerics;

namespace Backprop;

/// <summary>
/// An n-dimensional array of float32 or float64 elements, stored contiguously in row-major order.
/// Views (<see cref="Reshape"/>, <see cref="Rows"/>) share storage with the tensor they come from.
/// A tensor that requires gradients remembers the operation that made it, so <see cref="Backward()"/>
/// can send gradients back through the graph.
/// </summary>
public sealed partial class Tensor<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] storage;
    private readonly int offset;
    private readonly int[] shape;

    internal Tensor(T[] storage, int offset, int[] shape)
    {
        long length = ShapeMath.Product(shape);
        if (offset < 0 || offset + length > storage.Length)
            throw new ArgumentException($"shape [{string.Join(", ", shape)}] does not fit the storage");
        this.storage = storage;
        this.offset = offset;
        this.shape = shape;
        Length = (int)length;
    }

    /// <summary>The size of each dimension, outermost first.</summary>
    public ReadOnlySpan<int> Shape => shape;

    /// <summary>The number of dimensions.</summary>
    public int Rank => shape.Length;

    /// <summary>The number of elements.</summary>
    public int Length { get; }

    /// <summary>The size of one dimension; negative axes count from the end.</summary>
    public int Dim(int axis) => shape[ShapeMath.NormalizeAxis(axis, Rank)];

    /// <summary>The elements in row-major order. Writing here bypasses autograd.</summary>
    public Span<T> Data => storage.AsSpan(offset, Length);

    internal int[] ShapeArray => shape;

    /// <summary>The accumulated gradient of the last <see cref="Backward()"/>, shaped like this tensor.</summary>
    public Tensor<T>? Grad { get; set; }

    /// <summary>Whether operations on this tensor are recorded for differentiation.</summary>
    public bool RequiresGrad { get; set; }

    /// <summary>The recorded operation that produced this tensor, or null for a leaf.</summary>
    internal GradNode<T>? Node { get; set; }

    /// <summary>The name of the operation that produced this tensor ("leaf" for inputs and parameters).</summary>
    public string Operation => Node?.Operation ?? "leaf";

    /// <summary>An optional label, used by graph renderers.</summary>
    public string? Label { get; set; }

    /// <summary>The element at <paramref name="index"/>, one index per dimension; out of bounds is an ArgumentOutOfRangeException naming the dimension.</summary>
    [System.Runtime.CompilerServices.IndexerName("At")]
    public T this[params int[] index]
    {
        get => storage[offset + ShapeMath.FlatIndex(shape, index)];
        set => storage[offset + ShapeMath.FlatIndex(shape, index)] = value;
    }

    /// <summary>The single element of a one-element tensor.</summary>
    public T Item()
    {
        if (Length != 1) throw new InvalidOperationException($"Item() needs one element, the tensor has {Length}");
        return storage[offset];
    }

    /// <summary>A row-major copy of the elements.</summary>
    public T[] ToArray() => Data.ToArray();

    /// <summary>The elements widened to float64 (for printing and comparisons).</summary>
    public double[] ToDoubleArray()
    {
        var result = new double[Length];
        var data = Data;
        for (int i = 0; i < data.Length; i++) result[i] = double.CreateChecked(data[i]);
        return result;
    }

    /// <summary>A new tensor with the same values and no history.</summary>
    public Tensor<T> Clone() => new(Data.ToArray(), 0, (int[])shape.Clone());

    /// <summary>A tensor sharing this one's storage but cut from the graph.</summary>
    public Tensor<T> Detach() => new(storage, offset, shape);

    /// <summary>Clears the accumulated gradient (keeps the buffer, so steps don't allocate).</summary>
    public void ZeroGrad() => Grad?.Data.Clear();

    /// <summary>The shape and values, nested by dimension, with long dimensions elided in the middle.</summary>
    public override string ToString() => TensorFormatter.Format(this);
}
