using System.Numerics;

namespace Backprop;

/// <summary>An elementwise function f with its derivative, used by <see cref="Tensor{T}.Map{TFunction}"/>.</summary>
internal interface IUnaryFunction<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    static abstract string Name { get; }
    static abstract T Value(T x);

    /// <summary>f'(x), given x and y = f(x).</summary>
    static abstract T Derivative(T x, T y);

}

public sealed partial class Tensor<T>
{
    /// <summary>Applies f elementwise; backward multiplies the incoming gradient by f'(x).</summary>
    internal Tensor<T> Map<TFunction>() where TFunction : IUnaryFunction<T>
    {
        var input = this;
        var output = Tensor.Uninitialized<T>(shape); // every element is written below
        var x = Data;
        var y = output.Data;
        for (int i = 0; i < x.Length; i++) y[i] = TFunction.Value(x[i]);
        if (!ShouldRecord(input)) return output;
        return output.Recorded(TFunction.Name, [input], grad =>
        {
            var inputGrad = input.GradBuffer();
            var g = grad.Data;
            var xs = input.Data;
            var ys = output.Data;
            for (int i = 0; i < g.Length; i++) inputGrad[i] += g[i] * TFunction.Derivative(xs[i], ys[i]);
        });
    }
}
