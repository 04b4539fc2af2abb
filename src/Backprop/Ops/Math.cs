using System.Numerics;

namespace Backprop;

// exp, log, sqrt, pow, abs: each function beside its derivative.
public sealed partial class Tensor<T>
{
    /// <summary>Elementwise eˣ.</summary>
    public Tensor<T> Exp() => Map<ExpFunction>();
    /// <summary>Elementwise natural logarithm (−∞ at 0, NaN below).</summary>
    public Tensor<T> Log() => Map<LogFunction>();
    /// <summary>Elementwise square root.</summary>
    public Tensor<T> Sqrt() => Map<SqrtFunction>();
    /// <summary>Elementwise |x|; the gradient at 0 is 0, as in PyTorch.</summary>
    public Tensor<T> Abs() => Map<AbsFunction>();
    /// <summary>Elementwise x².</summary>
    public Tensor<T> Square() => this * this;

    /// <summary>xᵖ elementwise for a constant exponent p.</summary>
    public Tensor<T> Pow(T exponent)
    {
        var input = this;
        var output = Tensor.Zeros<T>(shape);
        var x = Data;
        var y = output.Data;
        for (int i = 0; i < x.Length; i++) y[i] = T.Pow(x[i], exponent);
        if (!ShouldRecord(input)) return output;
        return output.Recorded("pow", [input], grad =>
        {
            // d(xᵖ)/dx = p·xᵖ⁻¹; for p = 0 that is 0 everywhere, also at x = 0, where the formula would give 0·∞ = NaN.
            var inputGrad = input.GradBuffer();
            if (exponent == T.Zero) return;
            var g = grad.Data;
            var xs = input.Data;
            for (int i = 0; i < g.Length; i++) inputGrad[i] += g[i] * exponent * T.Pow(xs[i], exponent - T.One);
        });
    }

    private readonly struct ExpFunction : IUnaryFunction<T>
    {
        public static string Name => "exp";
        public static T Value(T x) => T.Exp(x);
        public static T Derivative(T x, T y) => y;
    }

    private readonly struct LogFunction : IUnaryFunction<T>
    {
        public static string Name => "log";
        public static T Value(T x) => T.Log(x);
        public static T Derivative(T x, T y) => T.One / x;
    }

    private readonly struct SqrtFunction : IUnaryFunction<T>
    {
        public static string Name => "sqrt";
        public static T Value(T x) => T.Sqrt(x);
        public static T Derivative(T x, T y) => T.One / (y + y);
    }

    private readonly struct AbsFunction : IUnaryFunction<T>
    {
        public static string Name => "abs";
        public static T Value(T x) => T.Abs(x);
        public static T Derivative(T x, T y) => x > T.Zero ? T.One : x < T.Zero ? -T.One : T.Zero;
    }
}
