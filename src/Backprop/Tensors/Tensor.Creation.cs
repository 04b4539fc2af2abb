using System.Numerics;

namespace Backprop;

/// <summary>Factories for <see cref="Tensor{T}"/>: <c>Tensor.Zeros&lt;float&gt;(2, 3)</c>, <c>Tensor.From(new[,] {...})</c>.</summary>
public static class Tensor
{
    /// <summary>A tensor of zeros in the given shape (none: a scalar).</summary>
    public static Tensor<T> Zeros<T>(params int[] shape) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(shape);
        return new(TensorArena.Rent<T>(ShapeMath.ElementCount(shape), clear: true), 0, (int[])shape.Clone());
    }

    /// <summary>A tensor whose every element the caller is about to write: its storage is not cleared first.</summary>
    internal static Tensor<T> Uninitialized<T>(params int[] shape) where T : unmanaged, IFloatingPointIeee754<T>
        => new(TensorArena.Rent<T>(ShapeMath.ElementCount(shape), clear: false), 0, (int[])shape.Clone());

    /// <summary>A tensor of ones in the given shape.</summary>
    public static Tensor<T> Ones<T>(params int[] shape) where T : unmanaged, IFloatingPointIeee754<T>
        => Full(T.One, shape);

    /// <summary>A tensor with every element <paramref name="value"/>.</summary>
    public static Tensor<T> Full<T>(T value, params int[] shape) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var tensor = Zeros<T>(shape);
        tensor.Data.Fill(value);
        return tensor;
    }

    /// <summary>A scalar (rank-0) tensor.</summary>
    public static Tensor<T> Scalar<T>(T value) where T : unmanaged, IFloatingPointIeee754<T>
        => new([value], 0, []);

    /// <summary>Wraps (without copying) a flat array as a vector of its length.</summary>
    public static Tensor<T> FromArray<T>(T[] values) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(values);
        return new(values, 0, [values.Length]);
    }

    /// <summary>Wraps (without copying) a flat row-major array in the given shape; an empty shape is a scalar and
    /// takes exactly one value, as in PyTorch.</summary>
    public static Tensor<T> FromArray<T>(T[] values, params int[] shape) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(shape);
        if (ShapeMath.Product(shape) != values.Length)
            throw new ArgumentException($"{values.Length} values cannot fill shape {ShapeMath.Format(shape)}");
        return new(values, 0, (int[])shape.Clone());
    }

    /// <summary>A vector holding a copy of <paramref name="vector"/>.</summary>
    public static Tensor<T> From<T>(T[] vector) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(vector);
        return new((T[])vector.Clone(), 0, [vector.Length]);
    }

    /// <summary>A matrix holding a copy of <paramref name="matrix"/>.</summary>
    public static Tensor<T> From<T>(T[,] matrix) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(matrix);
        int rows = matrix.GetLength(0), columns = matrix.GetLength(1);
        var values = new T[rows * columns];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                values[r * columns + c] = matrix[r, c];
        return new(values, 0, [rows, columns]);
    }

    /// <summary>A matrix from jagged rows, which must all have the same length.</summary>
    public static Tensor<T> FromRows<T>(IReadOnlyList<T[]> rows) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(rows);
        int columns = rows.Count == 0 ? 0 : rows[0]?.Length ?? 0;
        var values = new T[rows.Count * columns];
        for (int r = 0; r < rows.Count; r++)
        {
            if (rows[r] is null) throw new ArgumentException($"row {r} of {rows.Count} is null", nameof(rows));
            if (rows[r].Length != columns)
                throw new ArgumentException($"row {r} has {rows[r].Length} values, row 0 has {columns}");
            rows[r].CopyTo(values, r * columns);
        }
        return new(values, 0, [rows.Count, columns]);
    }

    /// <summary>Seeded uniform values in [low, high).</summary>
    public static Tensor<T> Uniform<T>(Random random, T low, T high, params int[] shape) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(random);
        // NOTE: low > high used to fill (high, low] without a word; PyTorch's uniform_ refuses it too.
        if (!(low <= high) || !T.IsFinite(low) || !T.IsFinite(high))
            throw new ArgumentOutOfRangeException(nameof(high), $"uniform values need finite low <= high, got low {low}, high {high}");
        var tensor = Zeros<T>(shape);
        double lowD = double.CreateChecked(low), width = double.CreateChecked(high) - lowD;
        var data = tensor.Data;
        for (int i = 0; i < data.Length; i++) data[i] = T.CreateChecked(lowD + width * random.NextDouble());
        return tensor;
    }

    /// <summary>Seeded normal values (Box–Muller).</summary>
    public static Tensor<T> Normal<T>(Random random, T mean, T standardDeviation, params int[] shape) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(random);
        if (!(standardDeviation >= T.Zero) || !T.IsFinite(standardDeviation) || !T.IsFinite(mean))
            throw new ArgumentOutOfRangeException(nameof(standardDeviation), $"normal values need a finite mean and a finite standard deviation >= 0, got mean {mean}, standard deviation {standardDeviation}");
        var tensor = Zeros<T>(shape);
        double meanD = double.CreateChecked(mean), deviation = double.CreateChecked(standardDeviation);
        var data = tensor.Data;
        for (int i = 0; i < data.Length; i += 2)
        {
            double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
            double radius = Math.Sqrt(-2.0 * Math.Log(u1));
            data[i] = T.CreateChecked(meanD + deviation * radius * Math.Cos(2 * Math.PI * u2));
            if (i + 1 < data.Length) data[i + 1] = T.CreateChecked(meanD + deviation * radius * Math.Sin(2 * Math.PI * u2));
        }
        return tensor;
    }

    /// <summary>0, 1, …, count − 1.</summary>
    public static Tensor<T> Arange<T>(int count) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var tensor = Zeros<T>(count);
        for (int i = 0; i < count; i++) tensor.Data[i] = T.CreateChecked(i);
        return tensor;
    }
}
