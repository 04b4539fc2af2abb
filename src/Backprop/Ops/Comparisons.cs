using System.Numerics;
using Backprop.Kernels;

namespace Backprop;

// Comparisons give 0/1 masks with broadcasting. They are not differentiable, so nothing is recorded.
public sealed partial class Tensor<T>
{
    /// <summary>1 where this &gt; <paramref name="other"/> (broadcast), else 0; not differentiable, so never recorded.</summary>
    public Tensor<T> GreaterThan(Tensor<T> other) => Compare<GreaterOperator>(this, other);
    /// <summary>1 where this &lt; <paramref name="other"/> (broadcast), else 0; not differentiable, so never recorded.</summary>
    public Tensor<T> LessThan(Tensor<T> other) => Compare<LessOperator>(this, other);
    /// <summary>1 where this equals <paramref name="other"/> (broadcast), else 0; NaN equals nothing.</summary>
    public Tensor<T> EqualTo(Tensor<T> other) => Compare<EqualOperator>(this, other);
    /// <summary>1 where an element exceeds <paramref name="value"/>, else 0.</summary>
    public Tensor<T> GreaterThan(T value) => GreaterThan(Tensor.Scalar(value));
    /// <summary>1 where an element is below <paramref name="value"/>, else 0.</summary>
    public Tensor<T> LessThan(T value) => LessThan(Tensor.Scalar(value));

    private static Tensor<T> Compare<TOperator>(Tensor<T> a, Tensor<T> b) where TOperator : IBinaryOperator<T>
    {
        ArgumentNullException.ThrowIfNull(b, "other"); // a is always `this`
        var outputShape = ShapeMath.Broadcast(a.shape, b.shape);
        var output = Tensor.Zeros<T>(outputShape);
        Broadcasting.Binary<T, TOperator>(a.Data, a.shape, b.Data, b.shape, output.Data, outputShape);
        return output;
    }

    private readonly struct GreaterOperator : IBinaryOperator<T>
    {
        public static T Apply(T x, T y) => x > y ? T.One : T.Zero;
        public static void Apply(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) { for (int i = 0; i < d.Length; i++) d[i] = Apply(x[i], y[i]); }
        public static void Apply(ReadOnlySpan<T> x, T y, Span<T> d) { for (int i = 0; i < d.Length; i++) d[i] = Apply(x[i], y); }
        public static void Apply(T x, ReadOnlySpan<T> y, Span<T> d) { for (int i = 0; i < d.Length; i++) d[i] = Apply(x, y[i]); }
    }

    private readonly struct LessOperator : IBinaryOperator<T>
    {
        public static T Apply(T x, T y) => x < y ? T.One : T.Zero;
        public static void Apply(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) { for (int i = 0; i < d.Length; i++) d[i] = Apply(x[i], y[i]); }
        public static void Apply(ReadOnlySpan<T> x, T y, Span<T> d) { for (int i = 0; i < d.Length; i++) d[i] = Apply(x[i], y); }
        public static void Apply(T x, ReadOnlySpan<T> y, Span<T> d) { for (int i = 0; i < d.Length; i++) d[i] = Apply(x, y[i]); }
    }

    private readonly struct EqualOperator : IBinaryOperator<T>
    {
        public static T Apply(T x, T y) => x == y ? T.One : T.Zero;
        public static void Apply(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) { for (int i = 0; i < d.Length; i++) d[i] = Apply(x[i], y[i]); }
        public static void Apply(ReadOnlySpan<T> x, T y, Span<T> d) { for (int i = 0; i < d.Length; i++) d[i] = Apply(x[i], y); }
        public static void Apply(T x, ReadOnlySpan<T> y, Span<T> d) { for (int i = 0; i < d.Length; i++) d[i] = Apply(x, y[i]); }
    }
}
