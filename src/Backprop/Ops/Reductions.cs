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
    public Tensor<T> Mean() => Sum() / T.CreateChecked(Length);

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

    /// <summary>The maximum of all elements.</summary>
    public Tensor<T> Max() => Reshape(-1).Max(0);

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
