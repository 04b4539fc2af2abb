using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;

namespace Backprop.Kernels;

/// <summary>Numerically careful reductions over spans.</summary>
public static class Reductions
{
    // Below these sizes a plain sum's rounding error is still small (each of TensorPrimitives' lanes adds a few dozen values).
    private const int SumBlock = 1024, RowBlock = 16;

    /// <summary>Σ x, pairwise: blocks summed by TensorPrimitives, the block sums added as a binary tree.</summary>
    /// <remarks>NOTE: a running float32 sum loses the small addends once it is large: ten million 0.1s summed to
    /// 1,087,937. Pairwise, the error grows with log n instead of n (NumPy and PyTorch sum in cascades for the same reason).</remarks>
    public static T PairwiseSum<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Length <= SumBlock) return TensorPrimitives.Sum(x);
        int half = x.Length / 2;
        return PairwiseSum(x[..half]) + PairwiseSum(x[half..]);
    }

    /// <summary>destination [inner] = Σ over the rows of x [rows, inner], pairwise over the rows (see <see cref="PairwiseSum{T}"/>).</summary>
    public static void PairwiseSumRows<T>(ReadOnlySpan<T> x, int rows, int inner, Span<T> destination) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (inner == 0) return;
        if (inner == 1)
        {
            destination[0] = PairwiseSum(x[..rows]);
            return;
        }
        if (rows <= RowBlock)
        {
            destination.Clear();
            for (int row = 0; row < rows; row++) TensorPrimitives.Add(destination, x.Slice(row * inner, inner), destination);
            return;
        }
        int half = rows / 2;
        PairwiseSumRows(x[..(half * inner)], half, inner, destination);
        var rented = ArrayPool<T>.Shared.Rent(inner);
        var secondHalf = rented.AsSpan(0, inner);
        PairwiseSumRows(x[(half * inner)..], rows - half, inner, secondHalf);
        TensorPrimitives.Add(destination, secondHalf, destination);
        ArrayPool<T>.Shared.Return(rented);
    }

    /// <summary>log Σ eˣ, shifted by the maximum so that no exponential overflows (an infinite maximum is returned as is).</summary>
    public static T LogSumExp<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T max = TensorPrimitives.Max(x);
        if (T.IsInfinity(max)) return max;
        T sum = T.Zero;
        for (int i = 0; i < x.Length; i++) sum += T.Exp(x[i] - max);
        return max + T.Log(sum);
    }
}
