using System.Numerics;
using System.Numerics.Tensors;
using Backprop.Kernels;

namespace Backprop;

// Elementwise arithmetic with NumPy broadcasting. Each backward reduces its gradient back to the input's
// own shape (Broadcasting.SumInto), so a bias of shape [n] added to a batch [b, n] gets the column sums.
public sealed partial class Tensor<T>
{
    /// <summary>Elementwise sum, broadcast as NumPy does.</summary>
    public static Tensor<T> operator +(Tensor<T> a, Tensor<T> b)
    {
        var output = BinaryForward<AddOperator<T>>(a, b);
        if (!ShouldRecord(a, b)) return output;
        return output.Recorded("add", [a, b], grad =>
        {
            if (a.RequiresGrad) Broadcasting.SumInto(grad.Data, grad.shape, a.GradBuffer(), a.shape);
            if (b.RequiresGrad) Broadcasting.SumInto(grad.Data, grad.shape, b.GradBuffer(), b.shape);
        });
    }

    /// <summary>Elementwise difference, broadcast as NumPy does.</summary>
    public static Tensor<T> operator -(Tensor<T> a, Tensor<T> b)
    {
        var output = BinaryForward<SubtractOperator<T>>(a, b);
        if (!ShouldRecord(a, b)) return output;
        return output.Recorded("sub", [a, b], grad =>
        {
            if (a.RequiresGrad) Broadcasting.SumInto(grad.Data, grad.shape, a.GradBuffer(), a.shape);
            if (b.RequiresGrad)
            {
                var negated = TensorArena.Rent<T>(grad.Length, clear: false); // every element is written below
                TensorPrimitives.Negate(grad.Data, negated);
                Broadcasting.SumInto<T>(negated, grad.shape, b.GradBuffer(), b.shape);
            }
        });
    }

    /// <summary>Elementwise product (not a matrix product: see <see cref="MatMul"/>), broadcast as NumPy does.</summary>
    public static Tensor<T> operator *(Tensor<T> a, Tensor<T> b)
    {
        var output = BinaryForward<MultiplyOperator<T>>(a, b);
        if (!ShouldRecord(a, b)) return output;
        return output.Recorded("mul", [a, b], grad =>
        {
            // ∂(a·b)/∂a = b, ∂(a·b)/∂b = a
            if (a.RequiresGrad) SendProduct(grad, b, a);
            if (b.RequiresGrad) SendProduct(grad, a, b);
        });
    }

    /// <summary>Elementwise quotient, broadcast as NumPy does.</summary>
    public static Tensor<T> operator /(Tensor<T> a, Tensor<T> b)
    {
        var output = BinaryForward<DivideOperator<T>>(a, b);
        if (!ShouldRecord(a, b)) return output;
        return output.Recorded("div", [a, b], grad =>
        {
            // ∂(a/b)/∂a = 1/b;  ∂(a/b)/∂b = −a/b² = −output/b
            if (a.RequiresGrad)
            {
                var share = TensorArena.Rent<T>(grad.Length, clear: false);
                Broadcasting.Binary<T, DivideOperator<T>>(grad.Data, grad.shape, b.Data, b.shape, share, grad.shape);
                Broadcasting.SumInto<T>(share, grad.shape, a.GradBuffer(), a.shape);
            }
            if (b.RequiresGrad)
            {
                var share = TensorArena.Rent<T>(grad.Length, clear: false);
                TensorPrimitives.Multiply(grad.Data, output.Data, share);
                Broadcasting.Binary<T, DivideOperator<T>>(share, grad.shape, b.Data, b.shape, share, grad.shape);
                TensorPrimitives.Negate(share, share);
                Broadcasting.SumInto<T>(share, grad.shape, b.GradBuffer(), b.shape);
            }
        });
    }

    /// <summary>Elementwise negation.</summary>
    public static Tensor<T> operator -(Tensor<T> a) => a * Tensor.Scalar(-T.One);
    /// <summary>Adds a scalar to every element.</summary>
    public static Tensor<T> operator +(Tensor<T> a, T b) => a + Tensor.Scalar(b);
    /// <summary>Adds a scalar to every element.</summary>
    public static Tensor<T> operator +(T a, Tensor<T> b) => Tensor.Scalar(a) + b;
    /// <summary>Subtracts a scalar from every element.</summary>
    public static Tensor<T> operator -(Tensor<T> a, T b) => a - Tensor.Scalar(b);
    /// <summary>Subtracts every element from a scalar.</summary>
    public static Tensor<T> operator -(T a, Tensor<T> b) => Tensor.Scalar(a) - b;
    /// <summary>Multiplies every element by a scalar.</summary>
    public static Tensor<T> operator *(Tensor<T> a, T b) => a * Tensor.Scalar(b);
    /// <summary>Multiplies every element by a scalar.</summary>
    public static Tensor<T> operator *(T a, Tensor<T> b) => Tensor.Scalar(a) * b;
    /// <summary>Divides every element by a scalar.</summary>
    public static Tensor<T> operator /(Tensor<T> a, T b) => a / Tensor.Scalar(b);
    /// <summary>Divides a scalar by every element.</summary>
    public static Tensor<T> operator /(T a, Tensor<T> b) => Tensor.Scalar(a) / b;

    /// <summary>The elementwise maximum of two tensors. The gradient goes to the larger, half to each on a tie, and to both
    /// where either is NaN: PyTorch's rule for torch.maximum.</summary>
    public static Tensor<T> Maximum(Tensor<T> a, Tensor<T> b)
    {
        var output = BinaryForward<MaximumOperator<T>>(a, b);
        if (!ShouldRecord(a, b)) return output;
        return output.Recorded("maximum", [a, b], grad =>
        {
            var aWide = Broadcast(a, output.shape).Data;
            var bWide = Broadcast(b, output.shape).Data;
            var toA = TensorArena.Rent<T>(grad.Length, clear: true);
            var toB = TensorArena.Rent<T>(grad.Length, clear: true);
            var g = grad.Data;
            T half = T.One / (T.One + T.One);
            for (int i = 0; i < g.Length; i++)
            {
                // NOTE: all to a on ties was a subgradient too, but not the one PyTorch (and the symmetry of max) takes.
                if (aWide[i] == bWide[i]) toA[i] = toB[i] = g[i] * half;
                else
                {
                    if (!(aWide[i] < bWide[i])) toA[i] = g[i];
                    if (!(aWide[i] > bWide[i])) toB[i] = g[i];
                }
            }
            if (a.RequiresGrad) Broadcasting.SumInto<T>(toA, output.shape, a.GradBuffer(), a.shape);
            if (b.RequiresGrad) Broadcasting.SumInto<T>(toB, output.shape, b.GradBuffer(), b.shape);
        });
    }

    private static Tensor<T> BinaryForward<TOperator>(Tensor<T> a, Tensor<T> b) where TOperator : IBinaryOperator<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var outputShape = ShapeMath.SameShape(a.shape, b.shape) ? (int[])a.shape.Clone() : ShapeMath.Broadcast(a.shape, b.shape);
        var output = Tensor.Uninitialized<T>(outputShape); // Binary writes every element
        Broadcasting.Binary<T, TOperator>(a.Data, a.shape, b.Data, b.shape, output.Data, outputShape);
        return output;
    }

    /// <summary>target.Grad += reduce(grad · other): the product rule's share for one factor.</summary>
    private static void SendProduct(Tensor<T> grad, Tensor<T> other, Tensor<T> target)
    {
        var share = TensorArena.Rent<T>(grad.Length, clear: false);
        Broadcasting.Binary<T, MultiplyOperator<T>>(grad.Data, grad.shape, other.Data, other.shape, share, grad.shape);
        Broadcasting.SumInto<T>(share, grad.shape, target.GradBuffer(), target.shape);
    }

    /// <summary>A copy of <paramref name="tensor"/> broadcast to <paramref name="shape"/> (no history).</summary>
    private static Tensor<T> Broadcast(Tensor<T> tensor, int[] shape)
    {
        var wide = Tensor.Zeros<T>(shape);
        Broadcasting.Binary<T, AddOperator<T>>(tensor.Data, tensor.shape, wide.Data, shape, wide.Data, shape);
        return wide;
    }
}
