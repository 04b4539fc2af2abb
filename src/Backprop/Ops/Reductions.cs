using System.Numerics;
using System.Numerics.Tensors;
using Backprop.Kernels;

namespace Backprop;

// Sum, mean and max over all elements or one axis; argmax. A reduced tensor's shape drops the axis
// unless keepDim is set (as in PyTorch).
public sealed partial class Tensor<T>
{
    /// <summary>The sum of all elements, as a scalar tensor.</summary>
    public Tensor<T> Sum()
    {
        var input = this;
        var output = Tensor.Scalar(Reductions.PairwiseSum<T>(Data));
        if (!ShouldRecord(input)) return output;
        return output.Recorded("sum", [input], grad =>
        {
            var inputGrad = input.GradBuffer();
            TensorPrimitives.Add(inputGrad, grad.Data[0], inputGrad);
        });
    }

    // NOTE: the mean of no values is 0 / 0 = NaN, as in PyTorch and NumPy: an empty batch must not look like a perfect one.
    /// <summary>The mean of all elements, as a scalar tensor.</summary>
    public Tensor<T> Mean() => Sum() / T.CreateChecked(Length);

    /// <summary>Sums over <paramref name="axis"/> (negative counts from the end), keeping it as size 1 when <paramref name="keepDim"/>.</summary>
    public Tensor<T> Sum(int axis, bool keepDim = false)
    {
        var (outer, size, inner, outputShape) = SplitAt(axis, keepDim);
        var input = this;
        var output = Tensor.Zeros<T>(outputShape);
        var x = Data;
        var y = output.Data;
        for (int o = 0; o < outer; o++)
            Reductions.PairwiseSumRows<T>(x.Slice(o * size * inner, size * inner), size, inner, y.Slice(o * inner, inner));
        if (!ShouldRecord(input)) return output;
        return output.Recorded("sum_axis", [input], grad =>
        {
            // Every summed element receives the gradient of its sum.
            var inputGrad = input.GradBuffer();
            var g = grad.Data;
            for (int o = 0; o < outer; o++)
                for (int s = 0; s < size; s++)
                {
                    var destination = inputGrad.Slice((o * size + s) * inner, inner);
                    TensorPrimitives.Add(destination, g.Slice(o * inner, inner), destination);
                }
        });
    }

    /// <summary>Averages over <paramref name="axis"/> (negative counts from the end), keeping it as size 1 when <paramref name="keepDim"/>.</summary>
    public Tensor<T> Mean(int axis, bool keepDim = false) => Sum(axis, keepDim) / T.CreateChecked(Dim(axis));

    /// <summary>The maximum along an axis; the gradient flows to the first maximal element.</summary>
    public Tensor<T> Max(int axis, bool keepDim = false)
    {
        var (outer, size, inner, outputShape) = SplitAt(axis, keepDim);
        if (size == 0) throw new ArgumentException($"max over axis {axis} of {ShapeMath.Format(shape)}, which is empty");
        var input = this;
        var output = Tensor.Zeros<T>(outputShape);
        var winners = ArgmaxIndices(outer, size, inner);
        var x = Data;
        var y = output.Data;
        for (int i = 0; i < y.Length; i++) y[i] = x[winners[i]];
        if (!ShouldRecord(input)) return output;
        return output.Recorded("max_axis", [input], grad =>
        {
            var inputGrad = input.GradBuffer();
            var g = grad.Data;
            for (int i = 0; i < g.Length; i++) inputGrad[winners[i]] += g[i];
        });
    }

    /// <summary>The maximum of all elements (NaN if any is NaN). The gradient is shared evenly among the elements that
    /// attain it (among the NaNs, if any), as PyTorch's max() shares it; <see cref="Max(int, bool)"/> sends it to one.</summary>
    public Tensor<T> Max()
    {
        if (Length == 0) throw new ArgumentException($"max of {ShapeMath.Format(shape)}, which is empty");
        var input = this;
        var x = Data;
        T best = x[0];
        for (int i = 1; i < x.Length; i++)
            if (x[i] > best || (T.IsNaN(x[i]) && !T.IsNaN(best))) best = x[i];
        var output = Tensor.Scalar(best);
        if (!ShouldRecord(input)) return output;
        return output.Recorded("max", [input], grad =>
        {
            // NOTE: sending it all to the first maximum was PyTorch's max(dim) rule; its max() of a whole tensor splits the
            // gradient between ties ([1, 3, 3] gives [0, ½, ½]), which is also the symmetric subgradient.
            var xs = input.Data;
            int ties = 0;
            foreach (T value in xs) if (Attains(value, best)) ties++;
            T share = grad.Data[0] / T.CreateChecked(ties);
            var inputGrad = input.GradBuffer();
            for (int i = 0; i < xs.Length; i++) if (Attains(xs[i], best)) inputGrad[i] += share;
        });
    }

    private static bool Attains(T value, T maximum) => T.IsNaN(maximum) ? T.IsNaN(value) : value == maximum;

    /// <summary>Indices of the maxima along an axis (first on ties).</summary>
    public int[] Argmax(int axis = -1)
    {
        var (outer, size, inner, _) = SplitAt(axis, false);
        if (size == 0) throw new ArgumentException($"argmax over axis {axis} of {ShapeMath.Format(shape)}, which is empty");
        var flat = ArgmaxIndices(outer, size, inner);
        for (int i = 0; i < flat.Length; i++) flat[i] = flat[i] / inner % size;
        return flat;
    }

    // Flat input index of the maximum for each output position (NaN counts as the maximum, as in PyTorch).
    private int[] ArgmaxIndices(int outer, int size, int inner)
    {
        var x = Data;
        var winners = new int[outer * inner];
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int best = o * size * inner + i;
                for (int s = 1; s < size; s++)
                {
                    int candidate = (o * size + s) * inner + i;
                    if (x[candidate] > x[best] || (T.IsNaN(x[candidate]) && !T.IsNaN(x[best]))) best = candidate;
                }
                winners[o * inner + i] = best;
            }
        return winners;
    }

    /// <summary>Views the tensor as [outer, size, inner] around <paramref name="axis"/>.</summary>
    private (int Outer, int Size, int Inner, int[] OutputShape) SplitAt(int axis, bool keepDim)
    {
        axis = ShapeMath.NormalizeAxis(axis, Rank);
        int outer = (int)ShapeMath.Product(shape.AsSpan(0, axis));
        int inner = (int)ShapeMath.Product(shape.AsSpan(axis + 1));
        var outputShape = keepDim
            ? shape.Select((size, d) => d == axis ? 1 : size).ToArray()
            : shape.Where((_, d) => d != axis).ToArray();
        return (outer, shape[axis], inner, outputShape);
    }
}
