using System.Numerics;

namespace Backprop.Nn;

/// <summary>y = x·Wᵀ + b, with weight [out, in] and bias [out] (PyTorch's nn.Linear layout).</summary>
public sealed class Linear<T> : Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The weights, [out features, in features] as in PyTorch.</summary>
    public Tensor<T> Weight { get; }
    /// <summary>One bias per output feature.</summary>
    public Tensor<T> Bias { get; }
    /// <summary>Values each input sample must have.</summary>
    public int InFeatures => Weight.Dim(1);
    /// <summary>Values each output sample has.</summary>
    public int OutFeatures => Weight.Dim(0);

    /// <summary>PyTorch's default initialisation: kaiming-uniform with a = √5, which bounds weights and
    /// biases alike by 1/√in.</summary>
    public Linear(int inFeatures, int outFeatures, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegative(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegative(outFeatures);
        T bound = T.CreateChecked(1.0 / Math.Sqrt(Math.Max(inFeatures, 1)));
        Weight = Tensor.Uniform(random, -bound, bound, outFeatures, inFeatures).RequireGrad();
        Bias = Tensor.Uniform(random, -bound, bound, outFeatures).RequireGrad();
    }

    /// <summary>A layer with the given parameters (used by model files and tests).</summary>
    public Linear(Tensor<T> weight, Tensor<T> bias)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(bias);
        if (weight.Rank != 2 || bias.Rank != 1 || bias.Dim(0) != weight.Dim(0))
            throw new ArgumentException($"weight {ShapeMath.Format(weight.Shape)} and bias {ShapeMath.Format(bias.Shape)} do not form a layer");
        Weight = weight.RequireGrad();
        Bias = bias.RequireGrad();
    }

    /// <inheritdoc/>
    public override Tensor<T> Forward(Tensor<T> input) => Tensor<T>.Linear(input, Weight, Bias);

    /// <inheritdoc/>
    public override IEnumerable<(string Name, Tensor<T> Parameter)> NamedParameters() => [("weight", Weight), ("bias", Bias)];

    /// <inheritdoc/>
    public override string ToString() => $"Linear(in_features={InFeatures}, out_features={OutFeatures})";
}
