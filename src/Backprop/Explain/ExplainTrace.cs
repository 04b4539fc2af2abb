using Backprop.Nn;

namespace Backprop.Explain;

// The data the explain engine emits: every number of one SGD step, in records that renderers (text, Markdown,
// JSON, DOT) only lay out. Indices follow the model file: layer l is layers[l], neuron j is row j of its weights,
// input i is column i; samples count from 0.

/// <summary>Every step explained, each starting from the previous step's updated parameters.</summary>
public sealed record ExplainTrace(IReadOnlyList<StepTrace> Steps);

/// <summary>One SGD step: the forward pass, the loss, the backward pass and the update.</summary>
/// <param name="Step">1 for the first step.</param>
/// <param name="Model">The model before this step (its parameters are the ones the forward pass used).</param>
/// <param name="Updated">The layers after p ← p − learning_rate · ∂C/∂p.</param>
public sealed record StepTrace(
    int Step,
    ExplainModel Model,
    IReadOnlyList<SampleForward> Forward,
    LossTrace Loss,
    IReadOnlyList<LayerBackward> Backward,
    IReadOnlyList<ExplainLayer> Updated,
    GraphTrace Graph);

/// <summary>The forward pass of one sample through every layer.</summary>
public sealed record SampleForward(int Sample, double[] Input, IReadOnlyList<LayerForward> Layers)
{
    /// <summary>The last layer's activations: the network's output for this sample.</summary>
    public double[] Prediction => Layers[^1].A;
}

/// <summary>One layer's forward pass for one sample, neuron by neuron.</summary>
public sealed record LayerForward(int Layer, Activation Activation, IReadOnlyList<NeuronForward> Neurons)
{
    /// <summary>The pre-activations of the layer's neurons.</summary>
    public double[] Z => Neurons.Select(neuron => neuron.Z).ToArray();
    /// <summary>The activations of the layer's neurons.</summary>
    public double[] A => Neurons.Select(neuron => neuron.A).ToArray();
}

/// <summary>z = Σᵢ wᵢ·inputᵢ + b and a = activation(z), for one neuron and one sample.</summary>
/// <param name="Weights">The neuron's weights (row j of the layer's weights).</param>
/// <param name="Inputs">What they multiply: x for layer 0, else the previous layer's activations.</param>
public sealed record NeuronForward(int Layer, int Neuron, double[] Weights, double[] Inputs, double Bias, double Z, double A);

/// <summary>The loss, per sample, with its gradient with respect to each prediction (where backward starts).</summary>
/// <param name="Denominator">What the sum of <see cref="LossSample.Terms"/> is divided by: 1 for squared_error,
/// the sample count for cross_entropy, the element count for mse and binary_cross_entropy.</param>
public sealed record LossTrace(LossKind Kind, double Value, int Denominator, IReadOnlyList<LossSample> Samples);

/// <param name="Target">The target outputs, or for cross_entropy the class index alone.</param>
/// <param name="Terms">Each output's contribution before the mean: (ŷ − y)², or the logistic loss; for
/// cross_entropy one term, logsumexp(ŷ) − ŷ[target].</param>
/// <param name="Softmax">cross_entropy only: softmax(ŷ).</param>
/// <param name="PredictionGradient">∂C/∂ŷ[j] for this sample.</param>
public sealed record LossSample(int Sample, double[] Prediction, double[] Target, double[] Terms, double[]? Softmax, double[] PredictionGradient);

/// <summary>The backward pass through one layer: each neuron's δ = ∂C/∂z, and the layer's gradients.</summary>
/// <param name="Deltas">[sample][neuron].</param>
/// <param name="Weights">[neuron][input]: ∂C/∂w with the chain-rule factors that produce it.</param>
/// <param name="Biases">[neuron].</param>
public sealed record LayerBackward(
    int Layer,
    Activation Activation,
    IReadOnlyList<IReadOnlyList<NeuronDelta>> Deltas,
    IReadOnlyList<IReadOnlyList<ParameterGradient>> Weights,
    IReadOnlyList<ParameterGradient> Biases);

/// <summary>δ = ∂C/∂z = f'(z) · ∂C/∂a for one neuron and one sample.</summary>
/// <param name="OutputGradient">∂C/∂a: for the last layer ∂C/∂ŷ; otherwise Σₖ w[l+1][k,j] · δ[l+1][k] over <see cref="Downstream"/>.</param>
/// <param name="Downstream">The next layer's neurons k this one feeds, with w[l+1][k,j] and δ[l+1][k]; empty for the last layer.</param>
public sealed record NeuronDelta(
    int Sample,
    int Layer,
    int Neuron,
    double Z,
    double A,
    double ActivationDerivative,
    double OutputGradient,
    IReadOnlyList<DownstreamTerm> Downstream,
    double Delta);

/// <summary>One term w[l+1][k,j] · δ[l+1][k] of ∂C/∂a[l][j].</summary>
public readonly record struct DownstreamTerm(int Neuron, double Weight, double Delta);

/// <summary>Which parameter: a weight w[l][j,i], or a bias b[l][j] (Input = −1).</summary>
public readonly record struct ParameterRef(int Layer, int Neuron, int Input)
{
    /// <summary>Whether this names a bias rather than a weight.</summary>
    public bool IsBias => Input < 0;
    /// <summary>The weight from <paramref name="input"/> into <paramref name="neuron"/> of <paramref name="layer"/>.</summary>
    public static ParameterRef Weight(int layer, int neuron, int input) => new(layer, neuron, input);
    /// <summary>The bias of <paramref name="neuron"/> of <paramref name="layer"/>.</summary>
    public static ParameterRef Bias(int layer, int neuron) => new(layer, neuron, -1);
}

/// <summary>
/// ∂C/∂p for one parameter: autograd's number, and per sample the chain-rule factors whose product is that
/// sample's share. The shares sum to the gradient (up to rounding).
/// </summary>
public sealed record ParameterGradient(ParameterRef Parameter, IReadOnlyList<GradientTerm> Terms, double Gradient);

/// <summary>One sample's share of a gradient: the product of <see cref="Factors"/>.</summary>
public sealed record GradientTerm(int Sample, IReadOnlyList<ChainFactor> Factors)
{
    /// <summary>The product of the chain's factors: this sample's share of the gradient.</summary>
    public double Product => Factors.Aggregate(1.0, (product, factor) => product * factor.Value);
}

/// <summary>What a factor of a chain-rule product is, for rendering it symbolically.</summary>
public enum FactorKind
{
    /// <summary>The input the parameter multiplies: x[i] for layer 0, else a[l−1][i] (∂z/∂w).</summary>
    Input,
    /// <summary>f'(z[l][j]) = ∂a/∂z.</summary>
    ActivationDerivative,
    /// <summary>w[l][j,i] = ∂z[l][j]/∂a[l−1][i], on the one path to a single-neuron layer.</summary>
    Weight,
    /// <summary>∂C/∂a[l][j], where it is a sum over several paths (shown in the neuron's δ).</summary>
    OutputGradient,
    /// <summary>∂C/∂ŷ[j], where the chain starts.</summary>
    LossGradient,
}

/// <summary>One factor of a chain-rule product, identified by kind and indices (renderers name it).</summary>
/// <param name="From">For <see cref="FactorKind.Input"/> and <see cref="FactorKind.Weight"/>: the input index i.</param>
public readonly record struct ChainFactor(FactorKind Kind, int Layer, int Neuron, int From, double Value);

/// <summary>The autograd graph of the loss: one node per tensor, inputs before outputs; the loss is last.</summary>
public sealed record GraphTrace(IReadOnlyList<GraphNode> Nodes);

/// <summary>A tensor of the graph, with the operation that produced it ("leaf" for inputs and parameters).</summary>
/// <param name="Inputs">Ids of the operation's input tensors, in order (an id repeats when an op reads one tensor twice).</param>
/// <param name="Grad">∂C/∂tensor after backward; null where autograd computed none (x, the target).</param>
public sealed record GraphNode(int Id, string? Label, string Operation, int[] Shape, double[] Value, double[]? Grad, int[] Inputs);
