using System.Numerics;
using Backprop.Kernels;

namespace Backprop;

// Activations as elementwise ops: each function beside its derivative. The numerics live in
// Kernels.ActivationFunctions (computed in float64), shared with the fused training kernels.
public sealed partial class Tensor<T>
{
    /// <summary>Elementwise 1 / (1 + e^−x).</summary>
    public Tensor<T> Sigmoid() => Map<SigmoidFunction>();
    /// <summary>Elementwise tanh.</summary>
    public Tensor<T> Tanh() => Map<TanhFunction>();
    /// <summary>Elementwise max(x, 0); the gradient is 0 where x ≤ 0.</summary>
    public Tensor<T> Relu() => Fused(Activation.Relu);
    /// <summary>Elementwise x for x > 0, else 0.01·x.</summary>
    public Tensor<T> LeakyRelu() => Map<LeakyReluFunction>();
    /// <summary>Elementwise log(1 + e^x), a smooth ReLU.</summary>
    public Tensor<T> Softplus() => Map<SoftplusFunction>();
    /// <summary>Elementwise x·Φ(x) with the exact normal CDF.</summary>
    public Tensor<T> Gelu() => Map<GeluFunction>();

    /// <summary>The activation named by <paramref name="activation"/>; Identity returns this tensor itself.</summary>
    public Tensor<T> Apply(Activation activation) => activation switch
    {
        Activation.Identity => this,
        Activation.Sigmoid => Sigmoid(),
        Activation.Tanh => Tanh(),
        Activation.Relu => Relu(),
        Activation.LeakyRelu => LeakyRelu(),
        Activation.Softplus => Softplus(),
        Activation.Gelu => Gelu(),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };

    // NOTE: the dense engine's vectorised kernels (tested against the scalar definitions), for the activations that
    // run on megabyte feature maps in convolutional networks.
    private Tensor<T> Fused(Activation activation)
    {
        var input = this;
        var output = Tensor.Uninitialized<T>(shape);
        DenseKernels.Activate<T>(activation, Data, output.Data);
        if (!ShouldRecord(input)) return output;
        return output.Recorded(activation.Name(), [input], grad =>
        {
            var local = Tensor.Uninitialized<T>(shape);
            grad.Data.CopyTo(local.Data);
            DenseKernels.ActivationBackward<T>(activation, input.Data, output.Data, local.Data);
            // NOTE: the first gradient to reach the input becomes its Grad outright. Zeroing a buffer and adding into
            // it were two more passes over a feature map of megabytes (ReLU's backward on (e)'s first map: 0.79 → 0.38 ms).
            if (input.Grad is null)
                input.Grad = local;
            else
                System.Numerics.Tensors.TensorPrimitives.Add<T>(input.Grad.Data, local.Data, input.Grad.Data);
        });
    }

    private static double D(T x) => double.CreateTruncating(x);
    private static T Of(double x) => T.CreateTruncating(x);

    private readonly struct SigmoidFunction : IUnaryFunction<T>
    {
        public static string Name => "sigmoid";
        public static T Value(T x) => Of(ActivationFunctions.Sigmoid(D(x)));
        public static T Derivative(T x, T y) => y * (T.One - y);
    }

    private readonly struct TanhFunction : IUnaryFunction<T>
    {
        public static string Name => "tanh";
        public static T Value(T x) => T.Tanh(x);
        public static T Derivative(T x, T y) => T.One - y * y;
    }

    private readonly struct LeakyReluFunction : IUnaryFunction<T>
    {
        public static string Name => "leaky_relu";
        public static T Value(T x) => x > T.Zero ? x : x * Of(ActivationFunctions.LeakySlope);
        public static T Derivative(T x, T y) => x > T.Zero ? T.One : Of(ActivationFunctions.LeakySlope);
    }

    private readonly struct SoftplusFunction : IUnaryFunction<T>
    {
        public static string Name => "softplus";
        public static T Value(T x) => Of(ActivationFunctions.Softplus(D(x)));
        public static T Derivative(T x, T y) => Of(ActivationFunctions.Sigmoid(D(x)));
    }

    private readonly struct GeluFunction : IUnaryFunction<T>
    {
        public static string Name => "gelu";
        public static T Value(T x) => Of(ActivationFunctions.Gelu(D(x)));
        public static T Derivative(T x, T y) => Of(ActivationFunctions.GeluDerivative(D(x)));
    }
}
