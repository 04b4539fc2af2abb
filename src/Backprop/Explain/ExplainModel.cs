using Backprop.Nn;

namespace Backprop.Explain;

/// <summary>One dense layer of an explain model: a = activation(x·Wᵀ + b).</summary>
/// <param name="Weights">[out][in]: row j holds the weights into neuron j (PyTorch nn.Linear layout).</param>
/// <param name="Bias">[out].</param>
public sealed record ExplainLayer(Activation Activation, double[][] Weights, double[] Bias)
{
    /// <summary>Inputs to each neuron of the layer.</summary>
    public int Inputs => Weights[0].Length;
    /// <summary>Neurons in the layer.</summary>
    public int Outputs => Weights.Length;
}

/// <summary>
/// A small network, one batch and its targets: everything one explained SGD step needs (the contract's
/// model file, validated; see <see cref="IO.ExplainModelFile"/>).
/// </summary>
/// <param name="Inputs">[samples][features]; a single-sample file has one row.</param>
/// <param name="IsBatch">Whether the file gave a batch (a list of vectors) rather than one vector; only changes
/// how results are printed.</param>
/// <param name="Targets">[samples][outputs], or for <see cref="LossKind.CrossEntropy"/> [samples][1] holding the class index.</param>
public sealed record ExplainModel(
    double[][] Inputs,
    bool IsBatch,
    double[][] Targets,
    LossKind Loss,
    double LearningRate,
    IReadOnlyList<ExplainLayer> Layers)
{
    /// <summary>Samples in the batch explained.</summary>
    public int SampleCount => Inputs.Length;
    /// <summary>Values per input sample.</summary>
    public int InputWidth => Inputs[0].Length;
    /// <summary>Values per prediction.</summary>
    public int OutputWidth => Layers[^1].Outputs;

    /// <summary>The same model with other parameters (e.g. the result of a step).</summary>
    public ExplainModel WithLayers(IReadOnlyList<ExplainLayer> layers) => this with { Layers = layers };
}
